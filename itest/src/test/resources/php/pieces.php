<?php
// Writes ?n=N pieces of ?bytes=B bytes ('a', 'b', … by piece), flushing each one and sleeping
// ?ms=M milliseconds after each but the last, without a Content-Length: a body that reaches the
// front end in several reads. N, B and M are capped so that a typo cannot hang a test run.
$n = min(1000, max(0, (int) ($_GET['n'] ?? 1)));
$bytes = min(1048576, max(0, (int) ($_GET['bytes'] ?? 1)));
$ms = min(2000, max(0, (int) ($_GET['ms'] ?? 0)));
header('Content-Type: text/plain');
while (ob_get_level() > 0) {
    ob_end_flush();
}
for ($i = 0; $i < $n; $i++) {
    echo str_repeat(chr(ord('a') + $i % 26), $bytes);
    flush();
    if ($i < $n - 1) {
        usleep($ms * 1000);
    }
}
