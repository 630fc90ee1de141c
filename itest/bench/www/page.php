<?php
// pages: an HTML page of exactly ?kb= KiB (default 20), written the way a templating
// application writes one: in PAGE_PIECES parts, each echoed and flushed, with no Content-Length
// (the front end sends it chunked). The client checks the byte count.
const PAGE_PIECES = 8;
$size = max(1, min(1024, (int) ($_GET['kb'] ?? 20))) * 1024;
$head = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Catalogue</title>"
    . "<link rel=\"stylesheet\" href=\"/static/site.css\"></head>\n<body><main><h1>Catalogue</h1>"
    . "<table class=\"products\"><thead><tr><th>SKU</th><th>Product</th><th>Price</th><th>Stock</th></tr></thead><tbody>\n";
$foot = "</tbody></table></main></body></html>\n";
$rows = [];
$length = strlen($head) + strlen($foot);
for ($i = 1; ; $i++) {
    $row = sprintf("<tr class=\"%s\"><td class=\"sku\">%06d</td><td><a href=\"/product/%d\">Product %d</a></td>"
        . "<td class=\"price\">%d.%02d</td><td>%s</td></tr>\n",
        $i % 2 ? 'odd' : 'even', $i, $i, $i, 3 + $i % 97, $i % 100, $i % 7 ? 'in stock' : 'on order');
    if ($length + strlen($row) > $size) {
        break;
    }
    $rows[] = $row;
    $length += strlen($row);
}
// Whitespace pads the page to the exact size, as a template's indentation would.
$page = $head . implode('', $rows) . str_repeat(' ', $size - $length) . $foot;
header('Content-Type: text/html; charset=utf-8');
$piece = intdiv($size + PAGE_PIECES - 1, PAGE_PIECES);
for ($offset = 0; $offset < $size; $offset += $piece) {
    echo substr($page, $offset, $piece);
    flush();
}
