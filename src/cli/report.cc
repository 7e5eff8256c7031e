#include "cli/report.h"

#include <algorithm>
#include <iomanip>
#include <ostream>

#include "absl/strings/str_format.h"

namespace allot::cli {

Report::Report(const Engine& engine) : engine_(engine) {
  const v1::Config& config = engine.config();
  for (const v1::Employee& e : config.employees()) {
    EmployeeRow& row = employees_[e.id()];
    row.weight = e.has_weight() ? e.weight() : 1.0;
    row.daily_cap = e.caps().has_daily() ? e.caps().daily() : config.default_caps().daily();
  }
  for (const v1::Entry& e : config.entries()) entries_[e.id()];
}

void Report::Add(const Decision& d, const v1::Event& event) {
  ++events_;
  EntryRow* entry = nullptr;
  if (event.has_arrival()) {
    entry = &entries_[event.arrival().entry()];
    ++entry->arrivals;
    if (d.returning) ++entry->returning;
    entry->held += d.held.size();
  }
  for (const Assignment& a : d.assignments) {
    EmployeeRow& row = employees_[std::string(a.employee)];
    EntryRow& e = entries_[std::string(a.entry)];
    if (a.reason == v1::Assignment::RELEASED) ++released_;
    switch (a.reason) {
      case v1::Assignment::OWNER:
        ++row.owner;
        ++e.owner;
        continue;
      case v1::Assignment::INHERITED:
        ++row.inherited;
        continue;
      case v1::Assignment::RELEASED:
        ++row.released;
        break;
      case v1::Assignment::TRANSFERRED:
        ++row.transferred;
        break;
      default:
        break;
    }
    ++row.assigned;
    // An entry's customers are counted once; moving one to a colleague is counted apart.
    if (a.reason == v1::Assignment::TRANSFERRED) {
      ++e.transferred;
    } else {
      ++e.assigned;
    }
    if (a.used_reserve) ++row.reserve;
    const uint32_t today = ++row.per_day[d.delta.local_day];
    if (row.daily_cap > 0 && today == row.daily_cap) ++row.cap_days;
  }
  for (const Rejection& r : d.rejections) {
    if (r.reason == v1::Rejection::HOLD_EXPIRED) ++expired_;
    if (entry == nullptr || r.customer != event.arrival().customer().ref()) continue;
    ++entry->rejected;
    ++entry->rejected_by_reason[v1::Rejection::Reason_Name(r.reason)];
  }
  held_ += d.held.size();
  for (const Alert& a : d.alerts) ++alerts_[v1::Alert::Kind_Name(a.kind)];
}

void Report::Print(std::ostream& out, double seconds) const {
  uint64_t total_assigned = 0;
  for (const auto& [id, row] : employees_) total_assigned += row.assigned;
  out << "Employees\n";
  out << absl::StrFormat("  %-14s %8s %6s %7s %7s %7s %8s %8s %8s %9s\n", "employee", "assigned",
                         "owner", "share", "weight", "cap", "cap-days", "reserve", "released",
                         "transfer");
  for (const auto& [id, row] : employees_) {
    const double share = total_assigned ? 100.0 * row.assigned / total_assigned : 0;
    out << absl::StrFormat("  %-14s %8d %6d %6.1f%% %7.2f %7s %8d %8d %8d %9d\n", id, row.assigned,
                           row.owner, share, row.weight,
                           row.daily_cap ? absl::StrCat(row.daily_cap) : "-", row.cap_days,
                           row.reserve, row.released, row.transferred);
  }
  out << "  (share: of all assignments; cap-days: days the daily cap was reached)\n";
  out << "Entries\n";
  out << absl::StrFormat("  %-14s %8s %8s %6s %9s %6s %9s %8s  %s\n", "entry", "arrivals",
                         "assigned", "owner", "returning", "held", "transfers", "rejected",
                         "rejections by reason");
  for (const auto& [id, row] : entries_) {
    std::string reasons;
    for (const auto& [reason, n] : row.rejected_by_reason) {
      absl::StrAppend(&reasons, reasons.empty() ? "" : ", ", reason, " ", n);
    }
    out << absl::StrFormat("  %-14s %8d %8d %6d %9d %6d %9d %8d  %s\n", id, row.arrivals,
                           row.assigned, row.owner, row.returning, row.held, row.transferred,
                           row.rejected, reasons);
  }
  out << absl::StrFormat("Hold pool: %d held, %d released, %d expired\n", held_, released_,
                         expired_);
  out << "Alerts\n";
  if (alerts_.empty()) out << "  none\n";
  for (const auto& [kind, n] : alerts_) out << absl::StrFormat("  %-14s %d\n", kind, n);
  out << absl::StrFormat("Replay: %d events, %d bad lines, %.3f s", events_, errors_, seconds);
  if (seconds > 0) out << absl::StrFormat(", %.0f events/s", events_ / seconds);
  out << "\n";
}

}  // namespace allot::cli
