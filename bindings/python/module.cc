// allot._allot — the pybind11 core of the Python package `allot` (SPEC §1, issue 6).
//
// The Python API mirrors the C++ one: Engine(config), Engine.decide/apply/step, State, and
// replay(config, events, state) whose decision dicts are exactly what `allot replay` writes
// for each line (SPEC §6): every decision goes through Engine::ToProto and allot::ToJsonLine,
// as in the CLI, and the JSON text is turned into Python objects by the standard json module.
// Events come in the CLI's JSON form (a dict, or a JSON line) and go through ParseEventJson.
//
// Errors: bad input raises allot.Error (a ValueError) whose message names the field path or
// the event's index, with `code` set to the absl status code name; the state is left as it
// was. A wrong Python type raises TypeError. Nothing aborts.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "allot/engine.h"
#include "allot/io.h"
#include "allot/state.h"

#ifndef ALLOT_VERSION
#define ALLOT_VERSION "0"
#endif

namespace allot::python {
namespace {

namespace py = pybind11;

// ---- Errors -------------------------------------------------------------------------------

// allot.Error, created at import; never freed (Python may still raise it at shutdown).
PyObject* g_error = nullptr;

// Raises allot.Error carrying `status`: the message, prefixed by `context` when not empty,
// and the code's name in the exception's `code` attribute. Requires the GIL.
[[noreturn]] void Raise(const absl::Status& status, const std::string& context = {}) {
  const std::string message = context.empty() ? std::string(status.message())
                                              : absl::StrCat(context, ": ", status.message());
  py::object error = py::reinterpret_borrow<py::object>(g_error)(message);
  error.attr("code") = absl::StatusCodeToString(status.code());
  PyErr_SetObject(g_error, error.ptr());
  throw py::error_already_set();
}

// The text of the Python exception being handled, e.g. "TypeError: Object of type set is not
// JSON serializable".
std::string Describe(const py::error_already_set& e) {
  return absl::StrCat(py::str(e.type().attr("__name__")).cast<std::string>(), ": ",
                      py::str(e.value()).cast<std::string>());
}

std::string TypeName(py::handle object) {
  return py::str(py::type::handle_of(object).attr("__name__")).cast<std::string>();
}

// ---- JSON between C++ and Python ----------------------------------------------------------

// The standard library's json.loads / json.dumps, looked up once and never freed.
py::object& JsonLoads() {
  static py::object* loads = new py::object(py::module_::import("json").attr("loads"));
  return *loads;
}
py::object& JsonDumps() {
  static py::object* dumps = new py::object(py::module_::import("json").attr("dumps"));
  return *dumps;
}

// Python objects from JSON text written by allot::ToJsonLine.
py::object FromJson(std::string_view json) {
  return JsonLoads()(py::str(json.data(), json.size()));
}

// JSON text of a dict (json.dumps, no NaN). INVALID_ARGUMENT when it is not representable.
absl::StatusOr<std::string> ToJson(py::handle object) {
  try {
    return JsonDumps()(object, py::arg("ensure_ascii") = false, py::arg("allow_nan") = false)
        .cast<std::string>();
  } catch (py::error_already_set& e) {
    return absl::InvalidArgumentError(absl::StrCat("not JSON: ", Describe(e)));
  }
}

// ---- Config -------------------------------------------------------------------------------

// Reads a config given as a str (text format, or proto3 JSON when it starts with '{'), bytes
// (binary), a dict (the proto3 JSON form, snake_case or lowerCamelCase names) or an
// os.PathLike (a file, its form chosen by extension like `allot validate`). Problems with
// the content are a status whose message starts with "config"; a wrong type raises TypeError.
absl::StatusOr<v1::Config> ReadConfig(py::handle config) {
  if (py::isinstance<py::bytes>(config)) {
    return ParseConfig(config.cast<std::string>(), ConfigFormat::kBinary);
  }
  if (py::isinstance<py::str>(config)) {
    const std::string text = config.cast<std::string>();
    const bool json = absl::StartsWith(absl::StripLeadingAsciiWhitespace(text), "{");
    return ParseConfig(text, json ? ConfigFormat::kJson : ConfigFormat::kText);
  }
  if (py::isinstance<py::dict>(config)) {
    absl::StatusOr<std::string> json = ToJson(config);
    if (!json.ok())
      return absl::InvalidArgumentError(absl::StrCat("config: ", json.status().message()));
    return ParseConfig(*json, ConfigFormat::kJson);
  }
  if (py::hasattr(config, "__fspath__")) {
    py::object path = py::module_::import("os").attr("fsdecode")(config);
    return LoadConfigFile(path.cast<std::string>());
  }
  throw py::type_error(absl::StrCat(
      "config: expected a str (text format or JSON), bytes (binary), a dict or a path, got ",
      TypeName(config)));
}

Engine CreateEngine(py::handle config) {
  absl::StatusOr<v1::Config> parsed = ReadConfig(config);
  if (!parsed.ok()) Raise(parsed.status());
  absl::StatusOr<Engine> engine = Engine::Create(*parsed);
  if (!engine.ok()) Raise(engine.status());
  return *std::move(engine);
}

// ---- Events -------------------------------------------------------------------------------

// The JSON line of one event given as a dict (the CLI's JSON form), a str or bytes (one JSON
// line). A blank line gets the CLI's error; a wrong type raises TypeError naming `where`.
absl::StatusOr<std::string> EventText(py::handle event, const std::string& where) {
  std::string text;
  if (py::isinstance<py::dict>(event)) {
    absl::StatusOr<std::string> json = ToJson(event);
    if (!json.ok()) return json.status();
    text = *std::move(json);
  } else if (py::isinstance<py::str>(event) || py::isinstance<py::bytes>(event)) {
    text = event.cast<std::string>();
  } else {
    throw py::type_error(
        absl::StrCat(where, ": expected a dict or a JSON str, got ", TypeName(event)));
  }
  if (absl::StripAsciiWhitespace(text).empty()) {
    return absl::InvalidArgumentError("empty line: expected one event in JSON");
  }
  return text;
}

v1::Event ReadEvent(py::handle event) {
  absl::StatusOr<std::string> text = EventText(event, "event");
  absl::StatusOr<v1::Event> parsed =
      text.ok() ? ParseEventJson(*text) : absl::StatusOr<v1::Event>(text.status());
  if (!parsed.ok()) Raise(parsed.status(), "event");
  return *std::move(parsed);
}

// ---- State --------------------------------------------------------------------------------

// allot.State: an allot::State, and whether a replay is using it (then nothing else may).
struct PyState {
  State state;
  bool busy = false;
};

// Raises allot.Error when a replay is using `state` (it may be writing it without the GIL).
void CheckNotBusy(const PyState& state) {
  if (state.busy) {
    Raise(absl::FailedPreconditionError("in use by a replay that has not finished"), "state");
  }
}

// The state of `state` for reading; raises allot.Error while a replay uses it.
const State& Read(const PyState& state) {
  CheckNotBusy(state);
  return state.state;
}

// Marks a state in use for the lifetime of the guard; raises allot.Error when it already is
// (a replay in another thread, or an events iterator touching the state it replays into).
class BusyGuard {
 public:
  explicit BusyGuard(PyState* state) : state_(state) {
    if (state_ == nullptr) return;
    CheckNotBusy(*state_);
    state_->busy = true;
  }
  ~BusyGuard() {
    if (state_ != nullptr) state_->busy = false;
  }
  BusyGuard(const BusyGuard&) = delete;
  BusyGuard& operator=(const BusyGuard&) = delete;

 private:
  PyState* state_;
};

// ---- Decisions ----------------------------------------------------------------------------

// What allot.Decision keeps behind the dict: the C++ decision (with its state change) and the
// engine that made it, whose config its names point into.
struct DecisionHandle {
  Engine engine;
  Decision decision;
};

// allot.Decision (a dict subclass defined in Python), registered by the package at import.
PyObject* g_decision_type = nullptr;

// The decision as a dict equal to the CLI's line, with the C++ decision kept behind it.
py::object MakeDecision(const Engine& engine, Decision decision) {
  if (g_decision_type == nullptr) {
    throw std::runtime_error("allot._allot: import the package `allot`, not its core");
  }
  py::object as_dict = FromJson(ToJsonLine(engine.ToProto(decision)));
  py::object result = py::reinterpret_borrow<py::object>(g_decision_type)(as_dict);
  result.attr("_handle") = py::cast(DecisionHandle{engine, std::move(decision)});
  return result;
}

// ---- Replay -------------------------------------------------------------------------------

// allot.replay: see its docstring below. Events are read into JSON text with the GIL held;
// parsing, deciding, applying and writing each decision's JSON line run without it; the
// Python list is built from the lines at the end.
py::list Replay(py::handle config, py::iterable events, PyState* state, bool keep_going) {
  if (py::isinstance<py::str>(events) || py::isinstance<py::bytes>(events) ||
      py::isinstance<py::dict>(events)) {
    throw py::type_error(absl::StrCat(
        "events: expected an iterable of events (dicts or JSON lines), got ", TypeName(events)));
  }
  const Engine engine =
      py::isinstance<Engine>(config) ? config.cast<Engine>() : CreateEngine(config);
  BusyGuard busy(state);

  // With the GIL: each event's JSON text, or its problem.
  std::vector<absl::StatusOr<std::string>> texts;
  for (py::handle event : events) {
    const std::string where = absl::StrCat("events[", texts.size(), "]");
    texts.push_back(EventText(event, where));
    if (!texts.back().ok() && !keep_going) Raise(texts.back().status(), where);
  }

  // Without the GIL: the replay. Unless keep_going, it runs on a copy of the state, so that a
  // bad event leaves the caller's state as it was.
  State fresh;
  State* target = state ? &state->state : &fresh;
  std::optional<State> copy;
  if (state && !keep_going) target = &copy.emplace(state->state);
  std::vector<std::string> lines;
  lines.reserve(texts.size());
  size_t failed_at = texts.size();
  absl::Status failure;
  {
    py::gil_scoped_release release;
    for (size_t i = 0; i < texts.size(); ++i) {
      absl::StatusOr<v1::Event> event =
          texts[i].ok() ? ParseEventJson(*texts[i]) : absl::StatusOr<v1::Event>(texts[i].status());
      absl::StatusOr<Decision> decision =
          event.ok() ? engine.Step(*event, *target) : absl::StatusOr<Decision>(event.status());
      if (decision.ok()) {
        lines.push_back(ToJsonLine(engine.ToProto(*decision)));
      } else if (keep_going) {
        lines.push_back(ToJsonLine(v1::Decision()));  // what `allot replay --keep-going` writes
      } else {
        failed_at = i;
        failure = decision.status();
        break;
      }
    }
  }
  if (failed_at < texts.size()) Raise(failure, absl::StrCat("events[", failed_at, "]"));
  if (copy) state->state = *std::move(copy);
  // One json.loads per line: it runs Python code, so other threads get the GIL in between.
  py::list decisions(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    decisions[i] = FromJson(lines[i]);
    std::string().swap(lines[i]);
  }
  return decisions;
}

// ---- Validation ---------------------------------------------------------------------------

std::vector<std::string> Validate(py::handle config) {
  absl::StatusOr<v1::Config> parsed = ReadConfig(config);
  absl::Status status = parsed.status();
  if (parsed.ok()) status = Engine::Create(*parsed).status();
  if (status.ok()) return {};
  return absl::StrSplit(status.message(), '\n', absl::SkipEmpty());
}

// ---- Roster -------------------------------------------------------------------------------

// An RFC 3339 str, or an aware datetime, as absl::Time.
absl::Time ReadTime(py::handle at) {
  std::string text;
  if (py::isinstance<py::str>(at)) {
    text = at.cast<std::string>();
  } else if (py::hasattr(at, "isoformat") && py::hasattr(at, "tzinfo")) {
    if (at.attr("tzinfo").is_none()) {
      Raise(absl::InvalidArgumentError("a datetime needs a time zone (tzinfo)"), "at");
    }
    text = at.attr("isoformat")().cast<std::string>();
  } else {
    throw py::type_error(
        absl::StrCat("at: expected an RFC 3339 str or a datetime, got ", TypeName(at)));
  }
  absl::Time time;
  std::string problem;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &problem)) {
    Raise(absl::InvalidArgumentError(
              absl::StrCat("\"", text, "\" is not an RFC 3339 time (", problem, ")")),
          "at");
  }
  return time;
}

// ---- Docstrings ---------------------------------------------------------------------------

constexpr char kModuleDoc[] = R"(The core of the Python package `allot`; import `allot` instead.)";

constexpr char kEngineDoc[] = R"(The compiled config and the pure decision function (SPEC §2).

Engine(config) validates and compiles `config`, given as
  * str: text format (.txtpb), or proto3 JSON when it starts with '{';
  * bytes: the binary allot.v1.Config;
  * dict: the proto3 JSON form (as `parse_config` returns it);
  * os.PathLike: a file, its form chosen by extension (.json, .pb/.bin, else text).
Raises allot.Error listing every problem, one per line, each with its field path.

An Engine is immutable and may be shared by threads.)";

constexpr char kDecideDoc[] = R"(Decides `event` against `state` without changing it.

`event` is one allot.v1.Event in the CLI's JSON form: a dict such as
{"at": "2026-11-24T09:00:05+08:00", "arrival": {...}}, or that JSON as a str.
Returns an allot.Decision: a dict equal to the line `allot replay` writes for the event,
which also carries the state change for `apply`. Raises allot.Error naming the field for a
malformed event or one earlier than the state's clock.)";

constexpr char kApplyDoc[] = R"(Commits a decision made by `decide` to `state`.

Raises allot.Error, changing nothing, when `state` is no longer at the version the decision
was made on (code "FAILED_PRECONDITION"), or when another engine made it. A plain dict (not
an allot.Decision) raises TypeError: it carries no state change.)";

constexpr char kStepDoc[] = R"(Decides `event` and commits it to `state` (decide, then apply).

Returns the allot.Decision. On a bad event raises allot.Error and changes nothing.)";

constexpr char kRosterDoc[] =
    R"(Whom to publish now on the native multi-person code of `entry` (SPEC §5.11).

`at` is an RFC 3339 str or an aware datetime. Returns {"entry", "group", "employees"} as
`allot roster` prints it. Reads `state` and changes nothing.)";

constexpr char kReplayDoc[] = R"(Replays events through a config, as `allot replay` does.

`config` is an Engine or anything Engine() accepts. `events` is any iterable of events in
the CLI's JSON form: dicts, or JSON lines as str. `state`, when given, is the state to
replay from; it is advanced to the end of the replay. Returns one dict per event, equal to
the line `allot replay --decisions-out` writes for it (same keys, same values).

A bad event raises allot.Error naming its index (e.g. "events[12]: arrival.entry: unknown
entry ...") and leaves `state` as it was before the call. With keep_going=True a bad event's
decision is {} (as with `allot replay --keep-going`), it changes nothing, and the replay
goes on. The engine runs without the GIL.)";

constexpr char kValidateDoc[] = R"(Every problem of a config, each starting with its field path.

`config` is anything Engine() accepts. Returns [] for a valid config; a config that cannot
be parsed gives one problem naming the line and column.)";

constexpr char kParseConfigDoc[] =
    R"(A config as a dict in its proto3 JSON form, without validating it.

`config` is anything Engine() accepts. Field names are snake_case, enums are names, fields at
their default are left out. Useful to derive variants of a config: change the dict and pass
it to Engine(). Raises allot.Error when the config cannot be parsed.)";

constexpr char kStateDoc[] = R"(Everything allot remembers between events (SPEC §2).

State() is empty (version 0). Persist it with to_bytes() and restore it with
State.from_bytes(); the bytes are those of `allot replay --state-out` and `--state-in`, and
equal states give equal bytes. Only Engine.apply/step and replay change a State.)";

}  // namespace

void DefineModule(py::module_& m) {
  m.doc() = kModuleDoc;
  m.attr("__version__") = ALLOT_VERSION;

  g_error = PyErr_NewExceptionWithDoc(
      "allot.Error",
      "Bad input to allot: the message names the field path or the event's index; `code` is "
      "the status code's name (e.g. \"INVALID_ARGUMENT\", \"FAILED_PRECONDITION\").",
      PyExc_ValueError, nullptr);
  if (g_error == nullptr) throw py::error_already_set();
  m.attr("Error") = py::reinterpret_borrow<py::object>(g_error);

  m.def(
      "_register_decision_type",
      [](py::object type) {
        Py_XDECREF(g_decision_type);
        g_decision_type = type.release().ptr();
      },
      "Internal: the dict subclass that decide() and step() return.");

  py::class_<DecisionHandle>(m, "_DecisionHandle",
                             "Internal: the C++ decision behind an allot.Decision.");

  py::class_<PyState>(m, "State", kStateDoc)
      .def(py::init<>(), "An empty state: version 0, nobody remembered.")
      .def_property_readonly(
          "version", [](const PyState& s) { return Read(s).version(); },
          "Number of decisions applied; a decision applies only at the version it was made on.")
      .def_property_readonly(
          "clock_us", [](const PyState& s) { return Read(s).clock_us(); },
          "Time of the last applied event, unix microseconds (0 before the first).")
      .def_property_readonly(
          "remembered_customers", [](const PyState& s) { return Read(s).remembered_customers(); },
          "Customers in the owner memory (hashes of their keys only).")
      .def(
          "to_bytes", [](const PyState& s) { return py::bytes(Read(s).ToBytes()); },
          "The state's deterministic binary form, as `allot replay --state-out` writes it.")
      .def_static(
          "from_bytes",
          [](const py::bytes& bytes) {
            absl::StatusOr<State> state = State::FromBytes(bytes.cast<std::string>());
            if (!state.ok()) Raise(state.status(), "state");
            return PyState{*std::move(state)};
          },
          py::arg("data"),
          "Restores a state from to_bytes() or `allot replay --state-out`. Raises allot.Error "
          "when the bytes are not a state.")
      .def(
          "to_dict", [](const PyState& s) { return FromJson(ToJsonLine(Read(s).ToProto())); },
          "The allot.v1.State message as a dict (proto3 JSON form), for inspection.")
      .def(
          "copy", [](const PyState& s) { return PyState{Read(s)}; }, "An independent copy.")
      .def("__copy__", [](const PyState& s) { return PyState{Read(s)}; })
      .def(
          "__deepcopy__", [](const PyState& s, py::handle) { return PyState{Read(s)}; },
          py::arg("memo"))
      .def(
          "__eq__",
          [](const PyState& a, py::handle b) -> py::object {
            if (!py::isinstance<PyState>(b))
              return py::reinterpret_borrow<py::object>(Py_NotImplemented);
            return py::bool_(Read(a).ToBytes() == Read(b.cast<const PyState&>()).ToBytes());
          },
          py::is_operator())
      .def("__repr__",
           [](const PyState& s) {
             if (s.busy) return std::string("<allot.State in use by a replay>");
             return absl::StrCat("<allot.State version=", s.state.version(),
                                 " remembered=", s.state.remembered_customers(), ">");
           })
      .def(py::pickle([](const PyState& s) { return py::bytes(Read(s).ToBytes()); },
                      [](const py::bytes& bytes) {
                        absl::StatusOr<State> state = State::FromBytes(bytes.cast<std::string>());
                        if (!state.ok()) Raise(state.status(), "state");
                        return PyState{*std::move(state)};
                      }));

  py::class_<Engine>(m, "Engine", kEngineDoc)
      .def(py::init([](py::object config) { return CreateEngine(config); }), py::arg("config"))
      .def(
          "decide",
          [](const Engine& engine, py::object event, const PyState& state) {
            const v1::Event parsed = ReadEvent(event);
            absl::StatusOr<Decision> decision = engine.Decide(parsed, Read(state));
            if (!decision.ok()) Raise(decision.status(), "event");
            return MakeDecision(engine, *std::move(decision));
          },
          py::arg("event"), py::arg("state"), kDecideDoc)
      .def(
          "apply",
          [](const Engine& engine, py::object decision, PyState& state) {
            if (g_decision_type == nullptr || !py::isinstance(decision, g_decision_type) ||
                !py::hasattr(decision, "_handle")) {
              throw py::type_error(
                  absl::StrCat("decision: expected an allot.Decision from Engine.decide, got ",
                               TypeName(decision), " (a plain dict carries no state change)"));
            }
            const auto& handle = decision.attr("_handle").cast<const DecisionHandle&>();
            BusyGuard busy(&state);
            absl::Status status = engine.Apply(handle.decision, state.state);
            if (!status.ok()) Raise(status);
          },
          py::arg("decision"), py::arg("state"), kApplyDoc)
      .def(
          "step",
          [](const Engine& engine, py::object event, PyState& state) {
            const v1::Event parsed = ReadEvent(event);
            BusyGuard busy(&state);
            absl::StatusOr<Decision> decision = engine.Step(parsed, state.state);
            if (!decision.ok()) Raise(decision.status(), "event");
            return MakeDecision(engine, *std::move(decision));
          },
          py::arg("event"), py::arg("state"), kStepDoc)
      .def(
          "roster",
          [](const Engine& engine, std::string_view entry, const PyState& state, py::object at) {
            absl::StatusOr<v1::RosterList> roster = engine.Roster(entry, Read(state), ReadTime(at));
            if (!roster.ok()) Raise(roster.status());
            return FromJson(ToJsonLine(*roster));
          },
          py::arg("entry"), py::arg("state"), py::arg("at"), kRosterDoc)
      .def_property_readonly(
          "config", [](const Engine& engine) { return FromJson(ToJsonLine(engine.config())); },
          "The config as a dict (proto3 JSON form, defaults left out), as parse_config gives it.")
      .def_property_readonly(
          "time_zone",
          [](const Engine& engine) {
            const std::string& zone = engine.config().time_zone();
            return zone.empty() ? std::string("Asia/Shanghai") : zone;
          },
          "The IANA time zone of the config's days and hours (default Asia/Shanghai).")
      .def("__repr__", [](const Engine& engine) {
        const v1::Config& c = engine.config();
        return absl::StrCat("<allot.Engine: ", c.employees_size(), " employees, ", c.groups_size(),
                            " groups, ", c.entries_size(), " entries>");
      });

  m.def(
      "replay",
      [](py::object config, py::iterable events, PyState* state, bool keep_going) {
        return Replay(config, std::move(events), state, keep_going);
      },
      py::arg("config"), py::arg("events"), py::arg("state") = py::none(), py::kw_only(),
      py::arg("keep_going") = false, kReplayDoc);
  m.def("validate", &Validate, py::arg("config"), kValidateDoc);
  m.def(
      "parse_config",
      [](py::object config) {
        absl::StatusOr<v1::Config> parsed = ReadConfig(config);
        if (!parsed.ok()) Raise(parsed.status());
        return FromJson(ToJsonLine(*parsed));
      },
      py::arg("config"), kParseConfigDoc);
}

}  // namespace allot::python

PYBIND11_MODULE(_allot, m) { allot::python::DefineModule(m); }
