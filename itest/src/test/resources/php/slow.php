<?php
// Sleeps ?ms=N milliseconds (at most two minutes, so a typo cannot hang a test run), then answers.
$ms = min(120000, max(0, (int) ($_GET['ms'] ?? 0)));
usleep($ms * 1000);
header('Content-Type: text/plain');
echo 'slept ', $ms, "\n";
