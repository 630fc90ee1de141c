<?php
header('Content-Type: text/plain');
echo "Hello from PHP ", PHP_VERSION, " through gatehouse\n";
echo "SCRIPT_NAME=", $_SERVER['SCRIPT_NAME'], "\n";
echo "REQUEST_URI=", $_SERVER['REQUEST_URI'], "\n";
