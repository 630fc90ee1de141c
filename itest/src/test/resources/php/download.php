<?php
// Streams ?bytes=N bytes in 64 KiB pieces, flushing each one; Content-Length only with &cl=1.
// Byte i of the body is chr(i % 251): a prime period, so a lost or repeated piece shows.
$bytes = max(0, (int) ($_GET['bytes'] ?? 0));
header('Content-Type: application/octet-stream');
if (($_GET['cl'] ?? '') === '1') {
    header('Content-Length: ' . $bytes);
}
while (ob_get_level() > 0) {
    ob_end_flush();
}
$period = '';
for ($i = 0; $i < 251; $i++) {
    $period .= chr($i);
}
$piece = 65536;
$pattern = str_repeat($period, intdiv($piece, 251) + 2);
for ($sent = 0; $sent < $bytes; $sent += $length) {
    $length = min($piece, $bytes - $sent);
    echo substr($pattern, $sent % 251, $length);
    flush();
}
