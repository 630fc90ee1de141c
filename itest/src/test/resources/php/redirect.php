<?php
// A Location header without a Status line. PHP would add "302 Found" for a plain
// header('Location: ...'); an explicit 200 keeps the Status line out of the CGI response.
header('Location: /hello.php', true, 200);
