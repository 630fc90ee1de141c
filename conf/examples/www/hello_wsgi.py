def application(environ, start_response):
    body = ("Hello from a WSGI app over SCGI through gatehouse\n"
            "SCRIPT_NAME=%s\nPATH_INFO=%s\n" % (environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", "")))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body.encode("utf-8")]
