#!/usr/bin/env bash
# Vendor the browser libraries the web reader serves itself, so that no page loads anything
# from a CDN: KaTeX (math in titles and abstracts) and Swagger UI (/api/docs), both from the
# npm registry at pinned versions whose tarballs must match the pinned sha512 integrity.
#
#   scripts/vendor-static.sh          fetch, verify and (re)write src/paperboy/web/static/{katex,swagger-ui}
#   scripts/vendor-static.sh --check  fetch and verify, then fail if the committed files differ
#
# The files are committed; this script makes them reproducible. Each folder gets a SHA256SUMS
# that the test suite checks, so a hand-edited vendored file is caught without the network.
set -euo pipefail

KATEX_VERSION=0.19.1
KATEX_INTEGRITY=sha512-jG8uKntjSEcm2EpQOh0XturpPuuC9r3Sq5HLHdsFdWZT27E672SF19QEi+of0/YeOy15lDgRhKvr5614uRrEfA==
SWAGGER_VERSION=5.35.0
SWAGGER_INTEGRITY=sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ==

cd "$(dirname "$0")/.."
static=src/paperboy/web/static
check=false
[ "${1:-}" = "--check" ] && check=true
command -v npm >/dev/null || { echo "vendor-static.sh: needs npm (Debian: apt-get install npm)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# fetch NAME VERSION INTEGRITY: download the tarball, check its sha512, unpack to $work/NAME.
fetch() {
    local name=$1 version=$2 integrity=$3 tgz got
    tgz=$(cd "$work" && npm pack --silent "$name@$version")
    got="sha512-$(openssl dgst -sha512 -binary "$work/$tgz" | base64 -w0)"
    if [ "$got" != "$integrity" ]; then
        echo "vendor-static.sh: $name@$version tarball is $got, expected $integrity" >&2
        exit 1
    fi
    mkdir -p "$work/$name"
    tar -xzf "$work/$tgz" -C "$work/$name" --strip-components=1
}

fetch katex "$KATEX_VERSION" "$KATEX_INTEGRITY"
fetch swagger-ui-dist "$SWAGGER_VERSION" "$SWAGGER_INTEGRITY"

# The files the pages use, laid out as they are served (katex.min.css finds fonts/ beside it;
# browsers that read woff2, all current ones, never ask for the woff/ttf fallbacks).
out="$work/out"
mkdir -p "$out/katex/fonts" "$out/swagger-ui"
k="$work/katex"
cp "$k/dist/katex.min.js" "$k/dist/katex.min.css" "$k/dist/contrib/auto-render.min.js" \
    "$k/LICENSE" "$out/katex/"
cp "$k"/dist/fonts/*.woff2 "$out/katex/fonts/"
echo "katex $KATEX_VERSION $KATEX_INTEGRITY" >"$out/katex/VERSION"
s="$work/swagger-ui-dist"
cp "$s/swagger-ui-bundle.js" "$s/swagger-ui-bundle.js.LICENSE.txt" "$s/swagger-ui.css" \
    "$s/LICENSE" "$out/swagger-ui/"
echo "swagger-ui-dist $SWAGGER_VERSION $SWAGGER_INTEGRITY" >"$out/swagger-ui/VERSION"
for d in katex swagger-ui; do
    (cd "$out/$d" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort |
        xargs sha256sum >SHA256SUMS)
done

if $check; then
    status=0
    for d in katex swagger-ui; do
        if ! diff -r "$out/$d" "$static/$d" >/dev/null; then
            echo "vendor-static.sh: $static/$d differs from $d as fetched:" >&2
            diff -rq "$out/$d" "$static/$d" >&2 || true
            status=1
        fi
    done
    [ $status = 0 ] && echo "vendored files match katex $KATEX_VERSION and swagger-ui-dist $SWAGGER_VERSION"
    exit $status
fi

for d in katex swagger-ui; do
    rm -rf "${static:?}/$d"
    cp -r "$out/$d" "$static/$d"
done
echo "wrote $static/katex (katex $KATEX_VERSION) and $static/swagger-ui (swagger-ui-dist $SWAGGER_VERSION)"
