# Installs allot from BUILD_DIR into a scratch prefix and imports the installed Python package
# from PACKAGE_DIR under it with PYTHON: it must be the installed copy, and it must decide.
set(prefix ${BUILD_DIR}/python-install-test)
file(REMOVE_RECURSE ${prefix})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc}):\n${out}")
endif()
set(script [=[
import pathlib, sys, allot
here = pathlib.Path(allot.__file__).resolve()
assert pathlib.Path(sys.argv[1]).resolve() in here.parents, here
for name in ("_allot.pyi", "py.typed", "frame.py"):
    assert (here.parent / name).is_file(), name
engine = allot.Engine('employees { id: "a" } groups { id: "g" members { employee: "a" } } '
                      'entries { id: "qr" group: "g" }')
d = engine.step({"at": "2026-11-24T09:00:00+08:00",
                 "arrival": {"entry": "qr", "customer": {"ref": "c1", "keys": ["phone:1"]}}},
                allot.State())
assert d["assignments"][0]["employee"] == "a", d
print("installed allot", allot.__version__, "at", here.parent)
]=])
execute_process(COMMAND ${CMAKE_COMMAND} -E env PYTHONPATH=${prefix}/${PACKAGE_DIR} PYTHONNOUSERSITE=1
                        ${PYTHON} -c "${script}" ${prefix}
                WORKING_DIRECTORY ${prefix}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "importing the installed package failed (${rc}):\n${out}")
endif()
message(STATUS "${out}")
