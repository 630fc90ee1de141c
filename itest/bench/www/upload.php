<?php
// Reads the request body as a stream and answers "<bytes> <crc32b>": the client checks the
// byte count, and the body is never held whole in PHP's memory.
$in = fopen('php://input', 'rb');
$hash = hash_init('crc32b');
$bytes = 0;
while (!feof($in)) {
    $block = fread($in, 65536);
    if ($block === false) {
        break;
    }
    $bytes += strlen($block);
    hash_update($hash, $block);
}
header('Content-Type: text/plain');
echo $bytes, ' ', hash_final($hash), "\n";
