// Move-only owners for libspf2's handles (STYLE.md section 3): the server,
// the request and the response, each released with its own _free call.
// Used by spf.cc; nothing else frees libspf2 objects.
#pragma once

extern "C" {
#include <netinet/in.h>
#include <spf2/spf.h>
}

#include <memory>

namespace sendsentry::auth {

namespace detail {
    struct SpfServerFree {
        void operator()(SPF_server_t* p) const noexcept { SPF_server_free(p); }
    };
    struct SpfRequestFree {
        void operator()(SPF_request_t* p) const noexcept { SPF_request_free(p); }
    };
    struct SpfResponseFree {
        void operator()(SPF_response_t* p) const noexcept { SPF_response_free(p); }
    };
    struct SpfRecordFree {
        void operator()(SPF_record_t* p) const noexcept { SPF_record_free(p); }
    };
} // namespace detail

// SPF_server_free also frees the DNS layer unless the layer has no destroy
// callback; ours (SpfDnsLayer) has none and owns itself.
using SpfServer = std::unique_ptr<SPF_server_t, detail::SpfServerFree>;
using SpfRequest = std::unique_ptr<SPF_request_t, detail::SpfRequestFree>;
using SpfResponse = std::unique_ptr<SPF_response_t, detail::SpfResponseFree>;
using SpfRecord = std::unique_ptr<SPF_record_t, detail::SpfRecordFree>;

} // namespace sendsentry::auth
