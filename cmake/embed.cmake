# SPDX-License-Identifier: MIT
# Embeds files (migrations, the web client) into the binary as byte arrays, so the one
# executable carries everything it serves and applies.
#
# peerchat_embed(TARGET name NAMESPACE ns BASE dir FILES f1 f2 ...) generates a .cpp that
# defines `std::span<const peerchat::embedded_file> ns::files()` and adds it to TARGET.
set(PEERCHAT_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_script.cmake)

function(peerchat_embed)
  cmake_parse_arguments(E "" "TARGET;NAMESPACE;BASE" "FILES" ${ARGN})
  string(REPLACE "::" "_" file_stem "${E_NAMESPACE}")
  set(out ${CMAKE_CURRENT_BINARY_DIR}/embedded_${file_stem}.cpp)
  string(REPLACE ";" "|" files_arg "${E_FILES}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNS=${E_NAMESPACE} -DBASE=${E_BASE}
            "-DFILES=${files_arg}" -P ${PEERCHAT_EMBED_SCRIPT}
    DEPENDS ${E_FILES} ${PEERCHAT_EMBED_SCRIPT}
    COMMENT "Embedding ${E_NAMESPACE} files"
    VERBATIM)
  target_sources(${E_TARGET} PRIVATE ${out})
endfunction()
