<?php
// The directory index: what GET / returns when index-file.names lists index.php.
header('Content-Type: text/plain');
echo "Index page from PHP\n";
