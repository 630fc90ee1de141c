# The CGI variables the environment comparison looks at, as cgi-env.php prints them: one
# NAME=value line each in a fixed order, or a bare NAME when the front end did not send it.
# WSGI hands the values over as latin-1 strings: encoding them back gives the bytes received.
NAMES = ('REQUEST_URI', 'SCRIPT_NAME', 'PATH_INFO', 'PATH_TRANSLATED', 'SCRIPT_FILENAME', 'QUERY_STRING',
         'DOCUMENT_ROOT', 'DOCUMENT_URI')


def application(environ, start_response):
    lines = [name + '=' + environ[name] if name in environ else name for name in NAMES]
    body = ('\n'.join(lines) + '\n').encode('latin-1')
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
