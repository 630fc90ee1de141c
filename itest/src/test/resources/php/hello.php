<?php
// The smallest page: proves the whole path works.
header('Content-Type: text/plain');
echo "Hello from PHP\n";
