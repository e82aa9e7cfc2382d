#!/bin/bash
# Version 2 starts the server but crashes on its new configuration: nothing is served.
set -e
systemctl restart httpd
rm -f /var/run/site.status
echo "web server started"
echo "httpd: configuration error: unknown directive 'ProxyPassReverseCookiePathX'" >&2
