#!/bin/sh
# Issues the certificates of an MQTT deployment with openssl (ECDSA P-256, PEM):
#   issue-cert.sh DIR ca                 DIR/ca.pem, DIR/ca.key: the site CA (keep ca.key offline)
#   issue-cert.sh DIR server NAME [IP]   DIR/NAME.pem, .key: the broker (SAN DNS:NAME, and IP when given)
#   issue-cert.sh DIR client CN          DIR/CN.pem, .key: a site (CN = site id) or the collector (CN = nexwatt-collector)
# Certificates are valid for DAYS days (default 825).
set -eu
dir=$1 kind=$2
days=${DAYS:-825}
mkdir -p "$dir"
cd "$dir"
case "$kind" in
  ca)
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem \
      -days "$days" -subj "/CN=Nexwatt site CA" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    ;;
  server|client)
    name=$3
    case "$name" in */*|*+*|*#*|"") echo "issue-cert.sh: '$name' is not a valid name (no /, + or #)" >&2; exit 2 ;; esac
    if [ "$kind" = server ]; then
      san="DNS:$name"
      [ $# -ge 4 ] && san="$san,IP:$4"
      ext="subjectAltName=$san
extendedKeyUsage=serverAuth"
    else
      ext="extendedKeyUsage=clientAuth"
    fi
    printf '%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\n' "$ext" > "$name.ext"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=$name" 2>/dev/null
    openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$name.pem" -days "$days" -extfile "$name.ext" 2>/dev/null
    rm -f "$name.csr" "$name.ext"
    chmod 600 "$name.key"
    ;;
  *)
    echo "usage: issue-cert.sh DIR ca | server NAME [IP] | client CN" >&2; exit 2 ;;
esac
