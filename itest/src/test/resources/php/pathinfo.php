<?php
// Shows how the front end split the URL into SCRIPT_NAME and PATH_INFO.
header('Content-Type: text/plain');
echo 'SCRIPT_NAME=', $_SERVER['SCRIPT_NAME'] ?? '', "\n";
echo 'PATH_INFO=', $_SERVER['PATH_INFO'] ?? '', "\n";
