<?php
// Answers with the status ?code=N; statuses that forbid a body get none.
$code = (int) ($_GET['code'] ?? 200);
http_response_code($code);
header('Content-Type: text/plain');
if ($code >= 200 && $code !== 204 && $code !== 304) {
    echo 'status ', $code, "\n";
}
