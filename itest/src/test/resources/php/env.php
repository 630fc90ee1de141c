<?php
// Prints the CGI variables the front end sent, as sorted KEY=value lines.
// Exact names, plus the SERVER_, REMOTE_ and HTTP_ families; the rest of $_SERVER
// (PHP's own REQUEST_TIME, the worker's environment) is left out so output is stable.
header('Content-Type: text/plain');
$names = [
    'REQUEST_URI', 'REQUEST_METHOD', 'REQUEST_SCHEME', 'REDIRECT_URI', 'REDIRECT_STATUS',
    'SCRIPT_NAME', 'SCRIPT_FILENAME', 'PATH_INFO', 'PATH_TRANSLATED', 'QUERY_STRING',
    'CONTENT_LENGTH', 'CONTENT_TYPE', 'GATEWAY_INTERFACE', 'DOCUMENT_ROOT', 'HTTPS',
];
$prefixes = ['SERVER_', 'REMOTE_', 'HTTP_'];
$out = [];
foreach ($_SERVER as $key => $value) {
    $wanted = in_array($key, $names, true);
    foreach ($prefixes as $prefix) {
        $wanted = $wanted || str_starts_with($key, $prefix);
    }
    if ($wanted && is_scalar($value)) {
        $out[$key] = (string) $value;
    }
}
ksort($out, SORT_STRING);
foreach ($out as $key => $value) {
    echo $key, '=', $value, "\n";
}
