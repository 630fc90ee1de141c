# scgi-hello and uwsgi-hello: the WSGI counterpart of hello.php, served by uWSGI.
BODY = b"hello"


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))])
    return [BODY]
