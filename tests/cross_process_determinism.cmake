# SPEC §2: same inputs give byte-identical outputs, in every process. Abseil seeds its hash
# per process, so two runs of the CLI on the retail day catch any hash-table order that leaks
# into decisions or state bytes.
foreach(run 1 2)
  execute_process(
    COMMAND ${ALLOT} replay --config ${SOURCE_DIR}/examples/retail/config.txtpb
            --events ${SOURCE_DIR}/examples/retail/events.jsonl
            --decisions-out ${WORK_DIR}/determinism-${run}.jsonl
            --state-out ${WORK_DIR}/determinism-${run}.pb
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "replay ${run} failed with ${rc}")
  endif()
endforeach()
foreach(suffix jsonl pb)
  file(SHA256 ${WORK_DIR}/determinism-1.${suffix} first)
  file(SHA256 ${WORK_DIR}/determinism-2.${suffix} second)
  if(NOT first STREQUAL second)
    message(FATAL_ERROR "two processes wrote different .${suffix} files")
  endif()
endforeach()
file(SIZE ${WORK_DIR}/determinism-1.jsonl size)
if(size LESS 100000)
  message(FATAL_ERROR "the replay wrote only ${size} bytes of decisions")
endif()
