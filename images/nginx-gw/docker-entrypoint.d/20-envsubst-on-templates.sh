#!/bin/sh
# As the official image's 20-envsubst-on-templates.sh: render each file under
# NGINX_ENVSUBST_TEMPLATE_DIR (default /etc/nginx/templates) named *NGINX_ENVSUBST_TEMPLATE_SUFFIX
# (default .template) into NGINX_ENVSUBST_OUTPUT_DIR (default /etc/nginx/conf.d), keeping
# sub-folders and dropping the suffix, with envsubst limited to the variables defined in the
# environment whose names match NGINX_ENVSUBST_FILTER (so nginx's own $host etc. survive).
set -e
template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
filter="${NGINX_ENVSUBST_FILTER:-}"
[ -d "$template_dir" ] || exit 0
if [ ! -w "$output_dir" ]; then
    echo "$0: ERROR: $template_dir exists, but $output_dir is not writable"
    exit 0
fi
# shellcheck disable=SC2016,SC2046  # '${%s} ' is envsubst's SHELL-FORMAT; the names split on purpose
defined_envs=$(printf '${%s} ' $(awk "END { for (name in ENVIRON) { print ( name ~ /${filter}/ ) ? name : \"\" } }" </dev/null))
find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
    relative_path="${template#"$template_dir/"}"
    output_path="$output_dir/${relative_path%"$suffix"}"
    mkdir -p "$(dirname "$output_path")"
    echo "$0: Running envsubst on $template to $output_path"
    envsubst "$defined_envs" <"$template" >"$output_path"
done
exit 0
