<?php
// Reads the request body in chunks and prints its length and SHA-256, never holding it whole.
header('Content-Type: text/plain');
$in = fopen('php://input', 'rb');
$hash = hash_init('sha256');
$length = 0;
while (!feof($in)) {
    $chunk = fread($in, 65536);
    if ($chunk === false || $chunk === '') {
        break;
    }
    $length += strlen($chunk);
    hash_update($hash, $chunk);
}
fclose($in);
echo 'length=', $length, ' sha256=', hash_final($hash), "\n";
