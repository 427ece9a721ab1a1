// libFuzzer target over the whole bounce parser (MIME, DSN, ARF, SES JSON,
// vendor text, rules): any input must parse without a crash, a leak, a
// sanitizer report or a hang. Built and run by tests/fuzz/run_fuzz.sh.
#include "mail/bounce_parser.hh"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view input(reinterpret_cast<const char*>(data), size);
    sendsentry::mail::Envelope envelope { "", "bounces+user=shop.example@bounces.example.net" };
    sendsentry::mail::BounceReport report = sendsentry::mail::parse_bounce(input, envelope);
    // Touch the results so nothing is optimised away.
    std::size_t n = 0;
    for (const auto& f : report.failures)
        n += f.recipient.size() + f.diagnostic.size() + f.reason.size();
    return n == static_cast<std::size_t>(-1) ? 1 : 0;
}
