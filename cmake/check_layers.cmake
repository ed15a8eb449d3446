# SPDX-License-Identifier: MIT
# Fails when a layer includes a header of a layer it must not reach (run with cmake -P).
#   cmake -DROOT=<source dir> [-DSTAMP=<file to touch on success>] -P cmake/check_layers.cmake
# The layers, and what each may include besides itself (docs/architecture.md):
#   core     → nothing                 domain   → core
#   store    → core, domain            protocol → core, domain
#   service  → core, domain, store     gateway  → core, domain, protocol, service, push
#   push     → core, domain, service   (Web Push: encryption, VAPID, the dispatcher)
#   media    → core                    (what a file is; stripping metadata: libvips, libavformat)
#   service may also include media (attachments call media::prepare on their media workers).
# One include/ folder and static libraries that link each other PUBLIC would let any layer
# include any header and still build; this check is what keeps the direction.
if(NOT ROOT)
  message(FATAL_ERROR "check_layers: pass -DROOT=<source dir>")
endif()

set(layers core domain media store protocol service push gateway)
set(forbidden_core domain media store protocol service push gateway)
set(forbidden_media domain store protocol service push gateway)
set(forbidden_domain media store protocol service push gateway)
set(forbidden_store media protocol service push gateway)
set(forbidden_protocol media store service push gateway)
set(forbidden_service protocol push gateway)
set(forbidden_push media store protocol gateway)
set(forbidden_gateway store media)

set(violations "")
foreach(layer IN LISTS layers)
  file(GLOB_RECURSE files
       ${ROOT}/src/${layer}/*.cpp ${ROOT}/src/${layer}/*.hpp ${ROOT}/include/peerchat/${layer}/*.hpp)
  foreach(f IN LISTS files)
    file(STRINGS ${f} includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]*)[>\"].*$" "\\1" header "${line}")
      foreach(other IN LISTS forbidden_${layer})
        # peerchat/<layer>/x.hpp, or a relative path into that layer's source folder.
        if(header MATCHES "(^|/)peerchat/${other}/" OR header MATCHES "^(\\.\\./)+${other}/")
          file(RELATIVE_PATH rel ${ROOT} ${f})
          string(APPEND violations "  ${rel}: #include <${header}> (${layer} must not include ${other})\n")
        endif()
      endforeach()
    endforeach()
  endforeach()
endforeach()

if(violations)
  message(FATAL_ERROR "layering violations:\n${violations}")
endif()
if(STAMP)
  file(TOUCH ${STAMP})
endif()
