// null_milter: a libmilter filter that does nothing, the protocol floor of
// bench/milter_bench.sh. Default: every stage answered (a plain filter that
// registers all callbacks, as most milters do). With -r it negotiates the
// same no-reply and skipped stages as sendsentry-milter, so the difference
// to it is the cost of signing alone.
//   null_milter -s unix:PATH [-r]
#include <cstdio>
#include <cstring>
#include <libmilter/mfapi.h>
#include <unistd.h>

namespace {

bool no_reply = false;
constexpr unsigned long same_as_sendsentry = SMFIP_NOHELO | SMFIP_NORCPT | SMFIP_NODATA | SMFIP_NOUNKNOWN
    | SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY | SMFIP_HDR_LEADSPC;

sfsistat reply() { return no_reply ? SMFIS_NOREPLY : SMFIS_CONTINUE; }

sfsistat on_negotiate(SMFICTX*, unsigned long f0, unsigned long f1, unsigned long, unsigned long,
    unsigned long* pf0, unsigned long* pf1, unsigned long* pf2, unsigned long* pf3)
{
    if (!no_reply)
        return SMFIS_ALL_OPTS;
    *pf0 = f0 & SMFIF_ADDHDRS;
    *pf1 = f1 & same_as_sendsentry;
    *pf2 = *pf3 = 0;
    return SMFIS_CONTINUE;
}
sfsistat on_connect(SMFICTX*, char*, _SOCK_ADDR*) { return reply(); }
sfsistat on_helo(SMFICTX*, char*) { return SMFIS_CONTINUE; }
sfsistat on_envfrom(SMFICTX*, char**) { return reply(); }
sfsistat on_envrcpt(SMFICTX*, char**) { return SMFIS_CONTINUE; }
sfsistat on_data(SMFICTX*) { return SMFIS_CONTINUE; }
sfsistat on_header(SMFICTX*, char*, char*) { return reply(); }
sfsistat on_eoh(SMFICTX*) { return reply(); }
sfsistat on_body(SMFICTX*, unsigned char*, size_t) { return reply(); }
sfsistat on_eom(SMFICTX*) { return SMFIS_CONTINUE; }

} // namespace

int main(int argc, char** argv)
{
    const char* sock = nullptr;
    int c;
    while ((c = getopt(argc, argv, "s:r")) != -1) {
        if (c == 's')
            sock = optarg;
        else if (c == 'r')
            no_reply = true;
        else
            return 2;
    }
    if (!sock) {
        std::fprintf(stderr, "usage: null_milter -s unix:PATH [-r]\n");
        return 2;
    }
    smfiDesc d {};
    d.xxfi_name = const_cast<char*>("null");
    d.xxfi_version = SMFI_VERSION;
    d.xxfi_flags = SMFIF_ADDHDRS;
    d.xxfi_connect = on_connect;
    d.xxfi_helo = on_helo;
    d.xxfi_envfrom = on_envfrom;
    d.xxfi_envrcpt = on_envrcpt;
    d.xxfi_data = on_data;
    d.xxfi_header = on_header;
    d.xxfi_eoh = on_eoh;
    d.xxfi_body = on_body;
    d.xxfi_eom = on_eom;
    d.xxfi_negotiate = on_negotiate;
    smfi_setconn(const_cast<char*>(sock));
    smfi_setbacklog(1024);
    if (smfi_register(d) != MI_SUCCESS || smfi_opensocket(true) != MI_SUCCESS)
        return 1;
    return smfi_main() == MI_SUCCESS ? 0 : 1;
}
