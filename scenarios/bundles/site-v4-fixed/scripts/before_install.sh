#!/bin/bash
# Version 4 creates the site's data when it is missing, then migrates it.
set -e
yum install -y httpd
mkdir -p /var/www/html /var/lib/site
[ -f /var/lib/site/data.db ] || echo "site data, schema 1" >/var/lib/site/data.db
sed -i 's/schema [0-9]*/schema 4/' /var/lib/site/data.db
