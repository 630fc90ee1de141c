<?php
// The CGI variables the environment comparison looks at, one NAME=value line each in a fixed
// order, or a bare NAME when the front end did not send it. With SCRIPT_FILENAME naming an
// existing file, php-cgi's cgi.fix_pathinfo (on by default) leaves them as they were received;
// switched off, PHP would run PATH_TRANSLATED as the script.
header('Content-Type: text/plain');
$names = ['REQUEST_URI', 'SCRIPT_NAME', 'PATH_INFO', 'PATH_TRANSLATED', 'SCRIPT_FILENAME', 'QUERY_STRING',
    'DOCUMENT_ROOT', 'DOCUMENT_URI'];
foreach ($names as $name) {
    echo array_key_exists($name, $_SERVER) ? $name . '=' . $_SERVER[$name] : $name, "\n";
}
