#!/bin/bash
# Makes sure the web server is installed, the document root and the site's data exist.
set -e
yum install -y httpd
mkdir -p /var/www/html /var/lib/site
[ -f /var/lib/site/data.db ] || echo "site data, schema 1" >/var/lib/site/data.db
