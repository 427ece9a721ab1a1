// libmilter callbacks. Every one is a noexcept trampoline (STYLE.md 4): an
// exception is logged with the queue or connection id and becomes the
// configured failure verdict at end of message. Stages negotiated as
// no-reply (SMFIP_NR_*) return SMFIS_NOREPLY: only end-of-message costs the
// MTA a round trip.
#include "milter/callbacks.hh"

#include "milter/session.hh"

#include <arpa/inet.h>
#include <atomic>
#include <cstring>
#include <exception>
#include <memory>
#include <netinet/in.h>

namespace sendsentry::milter {
namespace {

    const EngineSlot* engines = nullptr;
    std::atomic<std::uint64_t> next_connection { 1 };

    // Stages we never need (SMFIP_NO*) and stages whose reply we never need
    // (SMFIP_NR_*): everything is decided at end of headers and applied at
    // end of message. SMFIP_HDR_LEADSPC gives header values byte-exact.
    constexpr unsigned long wanted_steps = SMFIP_NOHELO | SMFIP_NORCPT | SMFIP_NODATA | SMFIP_NOUNKNOWN
        | SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY | SMFIP_HDR_LEADSPC;

    // The actions we take at end of message: add our headers (DKIM-Signature,
    // Authentication-Results), delete forged Authentication-Results, and
    // rewrite the envelope sender to the return path (SMFIF_CHGFROM: Postfix
    // offers it from milter_protocol 6, its default).
    constexpr unsigned long wanted_actions = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGFROM;

    // The per-connection state lives in libmilter's private pointer; this is
    // its one owner: created at negotiate or connect, released at close.
    struct Connection {
        Session session;
        unsigned long steps = 0; // what the MTA agreed to
        Connection(std::uint64_t id, const EngineSlot& e)
            : session(id, e)
        {
        }
    };

    Connection* find(SMFICTX* ctx) noexcept { return static_cast<Connection*>(smfi_getpriv(ctx)); }

    Connection& find_or_create(SMFICTX* ctx)
    {
        if (Connection* c = find(ctx))
            return *c;
        auto owned = std::make_unique<Connection>(next_connection++, *engines);
        if (smfi_setpriv(ctx, owned.get()) != MI_SUCCESS)
            throw std::runtime_error("smfi_setpriv failed");
        return *owned.release();
    }

    void release(SMFICTX* ctx) noexcept
    {
        std::unique_ptr<Connection> owned(find(ctx));
        smfi_setpriv(ctx, nullptr);
    }

    std::string macro(SMFICTX* ctx, const char* name)
    {
        const char* v = smfi_getsymval(ctx, const_cast<char*>(name));
        return v ? v : "";
    }

    std::string address_text(const sockaddr* sa)
    {
        char buf[INET6_ADDRSTRLEN] = "";
        if (!sa)
            return {};
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
        return buf;
    }

    sfsistat no_reply_or_continue(const Connection& c, unsigned long nr_flag)
    {
        return (c.steps & nr_flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
    }

    // Runs FN for the connection; an escaping exception fails the message
    // (its action applies at end of message) and the stage still answers.
    template <class Fn>
    sfsistat guarded(SMFICTX* ctx, const char* stage, unsigned long nr_flag, Fn fn) noexcept
    {
        Connection* c = nullptr;
        try {
            c = &find_or_create(ctx);
            fn(*c);
            return no_reply_or_continue(*c, nr_flag);
        } catch (const std::exception& e) {
            if (c)
                c->session.fail(stage, e.what());
            else
                log::Logger("milter").error("callback failed", { { "stage", stage }, { "error", e.what() } });
        } catch (...) {
            if (c)
                c->session.fail(stage, "unknown exception");
        }
        return c ? no_reply_or_continue(*c, nr_flag) : SMFIS_TEMPFAIL;
    }

    sfsistat on_negotiate(SMFICTX* ctx, unsigned long f0, unsigned long f1, unsigned long, unsigned long,
        unsigned long* pf0, unsigned long* pf1, unsigned long* pf2, unsigned long* pf3) noexcept
    {
        return guarded(ctx, "negotiate", 0, [&](Connection& c) {
            *pf0 = (wanted_actions & f0) | (f0 & SMFIF_SETSYMLIST);
            *pf1 = wanted_steps & f1;
            *pf2 = *pf3 = 0;
            c.steps = *pf1;
            c.session.set_leading_space_kept(c.steps & SMFIP_HDR_LEADSPC);
            if (f0 & SMFIF_SETSYMLIST) {
                // Ask only for the macros we read (Postfix sends its defaults otherwise).
                // j: the MTA's own name, its HELO when it sends the mail on.
                smfi_setsymlist(ctx, SMFIM_CONNECT, const_cast<char*>("{daemon_name} j"));
                smfi_setsymlist(ctx, SMFIM_ENVFROM, const_cast<char*>("{auth_authen} {auth_type}"));
                smfi_setsymlist(ctx, SMFIM_EOH, const_cast<char*>("i"));
                smfi_setsymlist(ctx, SMFIM_EOM, const_cast<char*>("i"));
            }
        });
    }

    sfsistat on_connect(SMFICTX* ctx, char*, _SOCK_ADDR* addr) noexcept
    {
        return guarded(ctx, "connect", SMFIP_NR_CONN, [&](Connection& c) {
            c.session.connect(address_text(addr), macro(ctx, "{daemon_name}"), macro(ctx, "j"));
        });
    }

    sfsistat on_envfrom(SMFICTX* ctx, char** argv) noexcept
    {
        return guarded(ctx, "mail", SMFIP_NR_MAIL, [&](Connection& c) {
            c.session.mail_from(
                argv && argv[0] ? argv[0] : "", macro(ctx, "{auth_authen}"), macro(ctx, "{auth_type}"));
        });
    }

    sfsistat on_header(SMFICTX* ctx, char* name, char* value) noexcept
    {
        return guarded(ctx, "header", SMFIP_NR_HDR,
            [&](Connection& c) { c.session.header(name ? name : "", value ? value : ""); });
    }

    sfsistat on_eoh(SMFICTX* ctx) noexcept
    {
        return guarded(ctx, "end of headers", SMFIP_NR_EOH,
            [&](Connection& c) { c.session.end_of_headers(macro(ctx, "i")); });
    }

    sfsistat on_body(SMFICTX* ctx, unsigned char* data, size_t len) noexcept
    {
        return guarded(ctx, "body", SMFIP_NR_BODY, [&](Connection& c) {
            c.session.body(std::string_view(reinterpret_cast<const char*>(data), len));
        });
    }

    sfsistat apply(SMFICTX* ctx, const Connection& c, const EomActions& a)
    {
        const Session& s = c.session;
        // Deletions first: an inserted header would renumber the indices.
        for (const auto& [name, index] : a.delete_headers)
            if (smfi_chgheader(ctx, const_cast<char*>(name.c_str()), index, nullptr) != MI_SUCCESS)
                s.logger().error("smfi_chgheader failed", { { "field", name }, { "index", index } });
        // Insert in reverse so the first signature ends up on top. With
        // SMFIP_HDR_LEADSPC the MTA adds no space after the colon of headers
        // we insert (Postfix milter8.c, MILTER8_HDR_SPACE); the signature was
        // computed over "DKIM-Signature: v=1...", so supply the space.
        const char* space = (c.steps & SMFIP_HDR_LEADSPC) ? " " : "";
        for (auto it = a.insert_headers.rbegin(); it != a.insert_headers.rend(); ++it) {
            std::string value = space + it->second;
            if (smfi_insheader(ctx, 0, const_cast<char*>(it->first.c_str()), value.data()) != MI_SUCCESS)
                s.logger().error("smfi_insheader failed", { { "field", it->first } });
        }
        if (a.verdict == EomActions::Verdict::accept && !a.change_from.empty()) {
            std::string from = "<" + a.change_from + ">";
            if (smfi_chgfrom(ctx, from.data(), nullptr) != MI_SUCCESS)
                s.logger().error("smfi_chgfrom failed; is SMFIF_CHGFROM offered (milter_protocol 6)?",
                    { { "return_path", a.change_from } });
        }
        if (a.verdict == EomActions::Verdict::accept)
            return SMFIS_CONTINUE;
        smfi_setreply(ctx, const_cast<char*>(a.reply_code.c_str()), const_cast<char*>(a.reply_status.c_str()),
            const_cast<char*>(a.reply_text.c_str()));
        return a.verdict == EomActions::Verdict::reject ? SMFIS_REJECT : SMFIS_TEMPFAIL;
    }

    sfsistat on_eom(SMFICTX* ctx) noexcept
    {
        Connection* c = nullptr;
        try {
            c = &find_or_create(ctx);
            return apply(ctx, *c, c->session.end_of_message());
        } catch (const std::exception& e) {
            if (c)
                c->session.fail("end of message", e.what());
        } catch (...) {
            if (c)
                c->session.fail("end of message", "unknown exception");
        }
        // The failure path itself failed: the only safe verdict is to retry.
        try {
            if (c)
                return apply(ctx, *c, c->session.end_of_message());
        } catch (...) {
        }
        return SMFIS_TEMPFAIL;
    }

    sfsistat on_abort(SMFICTX* ctx) noexcept
    {
        if (Connection* c = find(ctx))
            c->session.abort_message();
        return SMFIS_CONTINUE;
    }

    // May be the only callback of a connection, with no state set: then
    // release() is a no-op (libmilter API notes for xxfi_close).
    sfsistat on_close(SMFICTX* ctx) noexcept
    {
        release(ctx);
        return SMFIS_CONTINUE;
    }

} // namespace

smfiDesc make_callbacks(const EngineSlot& e)
{
    engines = &e;
    smfiDesc d {};
    d.xxfi_name = const_cast<char*>("sendsentry-milter");
    d.xxfi_version = SMFI_VERSION;
    d.xxfi_flags = wanted_actions;
    d.xxfi_connect = on_connect;
    d.xxfi_envfrom = on_envfrom;
    d.xxfi_header = on_header;
    d.xxfi_eoh = on_eoh;
    d.xxfi_body = on_body;
    d.xxfi_eom = on_eom;
    d.xxfi_abort = on_abort;
    d.xxfi_close = on_close;
    d.xxfi_negotiate = on_negotiate;
    return d;
}

} // namespace sendsentry::milter
