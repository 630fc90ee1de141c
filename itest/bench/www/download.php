<?php
// Emits ?mb= MiB (default 100) in 64 KiB chunks, flushing each, with a Content-Length so the
// client can tell a complete body from a cut one.
$chunk = str_repeat('0123456789abcdef', 4096);
$total = max(1, min(1024, (int) ($_GET['mb'] ?? 100))) * 1048576;
header('Content-Type: application/octet-stream');
header('Content-Length: ' . $total);
for ($sent = 0; $sent < $total; $sent += strlen($chunk)) {
    echo $chunk;
    flush();
}
