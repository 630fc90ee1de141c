<?php
// Echoes the decoded form fields as k=v lines, in the order they were sent.
header('Content-Type: text/plain');
foreach ($_POST as $key => $value) {
    if (is_array($value)) {
        foreach ($value as $index => $item) {
            echo $key, '[', $index, ']=', is_scalar($item) ? $item : json_encode($item), "\n";
        }
    } else {
        echo $key, '=', $value, "\n";
    }
}
