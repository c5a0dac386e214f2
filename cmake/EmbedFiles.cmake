# embed_files(TARGET <target> NAME <set> FILES <file>...)
# Compiles the files into <target> so the executable finds its reference data from any working directory.
# Each file is looked up at run time by its base name through gateway::resources::find().
set(GATEWAY_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_file.cmake)

function(embed_files)
    cmake_parse_arguments(ARG "" "TARGET;NAME" "FILES" ${ARGN})
    set(outputs)
    set(entries)
    set(index 0)
    foreach(file IN LISTS ARG_FILES)
        get_filename_component(base ${file} NAME)
        set(symbol "kResource_${ARG_NAME}_${index}")
        set(out ${CMAKE_CURRENT_BINARY_DIR}/embedded/${ARG_NAME}_${index}.cpp)
        add_custom_command(
            OUTPUT ${out}
            COMMAND ${CMAKE_COMMAND} -DINPUT=${file} -DOUTPUT=${out} -DSYMBOL=${symbol} -P ${GATEWAY_EMBED_SCRIPT}
            DEPENDS ${file} ${GATEWAY_EMBED_SCRIPT}
            COMMENT "Embedding ${base}"
            VERBATIM)
        list(APPEND outputs ${out})
        string(APPEND declarations "extern const unsigned char ${symbol}[];\nextern const std::size_t ${symbol}_size;\n")
        string(APPEND entries "    {\"${base}\", std::string_view(reinterpret_cast<const char*>(${symbol}), ${symbol}_size)},\n")
        math(EXPR index "${index} + 1")
    endforeach()
    set(index_file ${CMAKE_CURRENT_BINARY_DIR}/embedded/${ARG_NAME}_index.cpp)
    file(CONFIGURE OUTPUT ${index_file} CONTENT
"#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

${declarations}
namespace gateway::resources {
std::vector<std::pair<std::string_view, std::string_view>> ${ARG_NAME}Entries() {
    return {
${entries}    };
}
}  // namespace gateway::resources
")
    target_sources(${ARG_TARGET} PRIVATE ${outputs} ${index_file})
endfunction()
