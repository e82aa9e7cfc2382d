#!/bin/bash
# Restarts the web server on the new page and records what it serves.
set -e
systemctl restart httpd
mkdir -p /var/run
version=$(sed -n 's/.*site version \([0-9]*\).*/\1/p' /var/www/html/index.html)
echo "serving version ${version}" >/var/run/site.status
echo "web server started, serving version ${version}"
