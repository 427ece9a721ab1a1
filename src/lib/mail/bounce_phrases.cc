// The receivers' phrases that name a bounce reason, in table order (the
// first match wins, so specific reasons come before broad ones), and the
// one-pass scan for them. The phrases are what MTAs and providers actually
// say; Sisimai's tables (libsisimai-perl) taught us many of them.
#include "mail/bounce_phrases.hh"

#include <cstdint>
#include <iterator>
#include <vector>

namespace sendsentry::mail {
namespace {

    struct Phrase {
        std::string_view reason;
        std::string_view text; // lower-case; '*' stands for up to a line of anything
    };

    // Order matters: a 5.1.1 that says "mailbox full" is full, a rejection
    // that names a PTR record is requireptr before it is blocked.
    constexpr Phrase phrases[] = {
        // Specific wording first: each of these also contains a broader
        // phrase of another reason further down.
        { "spamdetected", "rejected due to spam classification" },
        { "notaccept", "doesn't receive email according to" },
        { "notaccept", "no mx found for domain" },
        { "notaccept", "indicated no smtp service" },
        { "norelaying", "no relaying" },
        { "rejected", "can't determine purported responsible address" },
        { "rejected", "sending to/from an address that has been blacklisted" },
        { "hostunknown", "553 * does not exist" },
        { "notcompliantrfc", "multiple addresses in from" },
        { "notcompliantrfc", "duplicate header" },
        { "norelaying", "email address is not verified" },
        { "speeding", "receiving mail at a rate that" },
        { "speeding", "sent to too many recipients this hour" },
        { "toomanyconn", "frequency limited" },
        { "networkerror", "dns error" },
        { "networkerror", "network error on destination" },
        { "networkerror", "malformed or unexpected name server reply" },
        { "badreputation", "temporarily deferred due to unexpected volume or user complaints" },
        { "badreputation", "due to user complaints" },
        { "blocked", "but my name was rejected" },
        { "blocked", "spamhaus.org/query/bl" },
        { "blocked", "spamcop" },
        { "blocked", "may not be mail exchanger" },
        { "blocked", "banned sending ip" },
        { "blocked", "adresse ip source bloquee" },
        { "suspend", "le compte du destinataire est bloque" },
        { "systemerror", "unable to contact ldap server" },
        { "systemerror", "unable to deliver message after multiple retries" },
        { "hostunknown", "dns lookup failure" },
        { "onhold", "recipient address rejected: on hold" },
        { "rejected", "mail rejected by destination domain" }, // Zoho
        { "expired", "envelope expired" },
        { "expired", "did not accept our requests to connect" },
        { "expired", "could not deliver for the last" },
        { "expired", "queue.expired" },
        { "authfailure", "does not have authentication information" },
        { "policyviolation", "header error" },
        { "mailboxfull", "mailbox exceeds allowed size" },
        { "userunknown", "invalid final delivery userid" },
        { "userunknown", "user doesn't have a" },
        { "securityerror", "turn on smtp authentication" },
        { "syntaxerror", "improper sequence of commands" },
        { "syntaxerror", "command parameter not implemented" },
        { "syntaxerror", "bad sequence of commands" },
        // mailboxfull
        { "mailboxfull", "mailbox full" },
        { "mailboxfull", "mailbox is full" },
        { "mailboxfull", "mailbox_full" },
        { "mailboxfull", "mailbox has exceeded" },
        { "mailboxfull", "mailbox exceeded the local limit" },
        { "mailboxfull", "mailbox over quota" },
        { "mailboxfull", "mailbox quota usage exceeded" },
        { "mailboxfull", "mailbox size limit exceeded" },
        { "mailboxfull", "mailfolder is full" },
        { "mailboxfull", "full mailbox" },
        { "mailboxfull", "over quota" },
        { "mailboxfull", "overquota" },
        { "mailboxfull", "over the quota" },
        { "mailboxfull", "over the allowed quota" },
        { "mailboxfull", "quota exceeded" },
        { "mailboxfull", "quota exceed" },
        { "mailboxfull", "exceeded storage allocation" },
        { "mailboxfull", "exceeding its mailbox quota" },
        { "mailboxfull", "exceeded its quota" },
        { "mailboxfull", "does not have enough space" },
        { "mailboxfull", "not enough storage space" },
        { "mailboxfull", "insufficient disk space" },
        { "mailboxfull", "not enough disk space" },
        { "mailboxfull", "disc quota exceeded" },
        { "mailboxfull", "disk quota" },
        { "mailboxfull", "quota violation" },
        { "mailboxfull", "user's space has been used up" },
        { "mailboxfull", "too much mail data" },
        { "mailboxfull", "user has too many messages" },
        { "mailboxfull", "mail file size exceeds the maximum size allowed for mail delivery" },
        { "mailboxfull", "would exceed maximum allowed storage" },
        { "mailboxfull", "boite du destinataire pleine" },
        { "mailboxfull", "mailbox is over" },
        { "mailboxfull", "recipient reached disk quota" },
        { "mailboxfull", "mailbox size exceeded" },
        { "mailboxfull", "account is full" },
        { "mailboxfull", "inbox is full" },
        { "mailboxfull", "out of storage" },
        { "mailboxfull", "temporarily over quota" },

        // mesgtoobig / exceedlimit
        { "mesgtoobig", "message too big" },
        { "mesgtoobig", "message is too big" },
        { "mesgtoobig", "message too large" },
        { "mesgtoobig", "message is too large" },
        { "mesgtoobig", "message size exceeds" },
        { "mesgtoobig", "message length exceeds administrative limit" },
        { "mesgtoobig", "max message size exceeded" },
        { "mesgtoobig", "maximum message size" },
        { "mesgtoobig", "exceeded maximum inbound message size" },
        { "mesgtoobig", "message file too big" },
        { "mesgtoobig", "size limit" },
        { "mesgtoobig", "exceeds size limit" },
        { "mesgtoobig", "taille limite du message atteinte" },
        { "mesgtoobig", "email is too large" },
        { "exceedlimit", "message header size exceeds limit" },
        { "exceedlimit", "exceeds the maximum size" },

        // suspend
        { "suspend", "is currently suspended" },
        { "suspend", "has been suspended" },
        { "suspend", "account has been disabled" },
        { "suspend", "account is disabled" },
        { "suspend", "account disabled" },
        { "suspend", "mailbox disabled" },
        { "suspend", "mailbox is disabled" },
        { "suspend", "this mailbox is disabled" },
        { "suspend", "mailbox currently suspended" },
        { "suspend", "mailbox is frozen" },
        { "suspend", "user suspended" },
        { "suspend", "temporary locked" },
        { "suspend", "is a deactivated mailbox" },
        { "suspend", "email account that you tried to reach is disabled" },
        { "suspend", "email account that you tried to reach is inactive" },
        { "suspend", "invalid/inactive user" },
        { "suspend", "recipient suspend the service" },
        { "suspend", "temporarily inactive" },
        { "suspend", "account is inactive" },
        { "suspend", "account inactive" },
        { "suspend", "inactive account" },
        { "suspend", "boite du destinataire archivee" },
        { "suspend", "account is locked" },
        { "suspend", "account has been locked" },
        { "suspend", "disabled or discontinued" },
        { "suspend", "mailbox unavailable or access denied" },
        { "suspend", "is not active" },

        // hasmoved
        { "hasmoved", " has been replaced by " },

        // norelaying
        { "norelaying", "relay access denied" },
        { "norelaying", "relaying denied" },
        { "norelaying", "relay denied" },
        { "norelaying", "relay not permitted" },
        { "norelaying", "relaying mail to " },
        { "norelaying", "unable to relay" },
        { "norelaying", "not allowed to relay" },
        { "norelaying", "as a relay" },
        { "norelaying", "not a gateway" },
        { "norelaying", "not local host" },
        { "norelaying", "not an open relay" },
        { "norelaying", "this system is not configured to relay mail" },
        { "norelaying", "that domain isn't in my list of allowed rcpthost" },
        { "norelaying", "we don't handle mail for" },
        { "norelaying", "relaying is prohibited" },
        { "norelaying", "relay prohibited" },

        // requireptr
        { "requireptr", "ptr record" },
        { "requireptr", "reverse dns" },
        { "requireptr", "cannot find your hostname" },
        { "requireptr", "ip name lookup failed" },
        { "requireptr", "mismatches client ip" },
        { "requireptr", "unresolvable relay host name" },
        { "requireptr", "forbidden by invalid rdns" },
        { "requireptr", "unverifyable sending ips" },
        { "requireptr", "dns lookup failure: * try again later" },
        { "requireptr", "reverse lookup rejected" },
        { "requireptr", "rdns" },
        { "requireptr", "reverse hostname" },
        { "requireptr", "client host rejected: cannot find" },

        // authfailure
        { "authfailure", "dmarc" },
        { "authfailure", "spf check: fail" },
        { "authfailure", "spf fail" },
        { "authfailure", "spf validation" },
        { "authfailure", "sender policy framework" },
        { "authfailure", "spf (sender policy framework)" },
        { "authfailure", "//spf.pobox.com" },
        { "authfailure", "bad spf records" },
        { "authfailure", "please inspect your spf settings" },
        { "authfailure", "per it's spf record" },
        { "authfailure", "is not allowed to send mail. * _401" },
        { "authfailure", "dkim" },
        { "authfailure", "spf record" },
        { "authfailure", "authentication failed for the message" },
        { "authfailure", "unauthenticated email" },
        { "authfailure", "not authenticated by" },
        { "authfailure", "spf)" },

        // badreputation
        { "badreputation", "poor email reputation" },
        { "badreputation", "poor reputation" },
        { "badreputation", "bad reputation" },
        { "badreputation", "low reputation" },
        { "badreputation", "reputation score" },
        { "badreputation", "ip/domain reputation problems" },
        { "badreputation", "sender reputation" },
        { "badreputation", "due to the reputation" },

        // speeding / toomanyconn
        { "speeding", "rate limit exceeded" },
        { "speeding", "receiving mail at a rate that prevents additional messages" },
        { "speeding", "rate that prevents additional messages" },
        { "speeding", "sending rate exceeded" },
        { "speeding", "too many messages" },
        { "speeding", "too many emails" },
        { "speeding", "has exceeded the max emails per hour" },
        { "speeding", "please slow down" },
        { "toomanyconn", "too many connections" },
        { "toomanyconn", "too many concurrent" },
        { "toomanyconn", "too many smtp sessions" },
        { "toomanyconn", "connection limit" },
        { "toomanyconn", "too many errors from your ip" },
        { "toomanyconn", "trop de connexions" },
        { "toomanyconn", "too many recipients" },
        { "toomanyconn", "throttling failure" },
        { "toomanyconn", "all available ips are at maximum connection limit" },
        { "toomanyconn", "numerous attempts to deliver this message" },
        { "toomanyconn", "try again later. too many" },

        // filtered before userunknown: "user not found" on a filter, refusals
        { "filtered", "because the recipient is only accepting mail from specific email addresses" },
        { "filtered", "due to extended inactivity new mail is not currently being accepted" },
        { "filtered", "has restricted sms e-mail" },
        { "filtered", "is not accepting any mail" },
        { "filtered", "message rejected due to user rules" },
        { "filtered", "refused due to recipient preferences" },
        { "filtered", "resolver.rst.notauthorized" },
        { "filtered", "this account is protected by" },
        { "filtered", "user reject" },
        { "filtered", "recipient id refuse to receive mail" },
        { "filtered", "you have been blocked by the recipient" },
        { "filtered", "bounced address" },
        { "filtered", "is on the recipient's list of blocked senders" },

        // userunknown
        { "userunknown", "user unknown" },
        { "userunknown", "unknown user" },
        { "userunknown", "unknown recipient" },
        { "userunknown", "unknown mailbox" },
        { "userunknown", "unknown local part" },
        { "userunknown", "unknown local-part" },
        { "userunknown", "unknown e-mail address" },
        { "userunknown", "unknown email address" },
        { "userunknown", "unknown address" },
        { "userunknown", "no such user" },
        { "userunknown", "no such mailbox" },
        { "userunknown", "no such recipient" },
        { "userunknown", "no such person" },
        { "userunknown", "no such address" },
        { "userunknown", "no mailbox" },
        { "userunknown", "no account by that name" },
        { "userunknown", "no mail box available for this user" },
        { "userunknown", "no valid recipients" },
        { "userunknown", "user not found" },
        { "userunknown", "user not known" },
        { "userunknown", "user doesn't exist" },
        { "userunknown", "user does not exist" },
        { "userunknown", "user * does not exist" },
        { "userunknown", "user * was not found" },
        { "userunknown", "user missing home directory" },
        { "userunknown", "recipient not found" },
        { "userunknown", "recipient unknown" },
        { "userunknown", "recipient does not exist" },
        { "userunknown", "recipient not exist" },
        { "userunknown", "recipient is not local" },
        { "userunknown", "recipient * was not found in" },
        { "userunknown", "recipient address rejected: invalid user" },
        { "userunknown", "recipient address rejected: access denied" },
        { "userunknown", "recipient address rejected: user * does not exist" },
        { "userunknown", "recipient address rejected: unknown user" },
        { "userunknown", "recipient not ok" },
        { "userunknown", "recipientnotfound" },
        { "userunknown", "recipnotfound" },
        { "userunknown", "address does not exist" },
        { "userunknown", "address unknown" },
        { "userunknown", "email address does not exist" },
        { "userunknown", "email address could not be found" },
        { "userunknown", "email account that you tried to reach does not exist" },
        { "userunknown", "invalid address" },
        { "userunknown", "invalid mailbox" },
        { "userunknown", "invalid recipient" },
        { "userunknown", "is not a known user" },
        { "userunknown", "is not a valid mailbox" },
        { "userunknown", "is not an active address" },
        { "userunknown", "mailbox not found" },
        { "userunknown", "mailbox not present" },
        { "userunknown", "mailbox unavailable" },
        { "userunknown", "mailbox is unavailable" },
        { "userunknown", "mailbox is inactive" },
        { "userunknown", "mailbox invalid" },
        { "userunknown", "mailbox * does not exist" },
        { "userunknown", "mailbox does not exist" },
        { "userunknown", "not a valid user" },
        { "userunknown", "not a local address" },
        { "userunknown", "non-existent user" },
        { "userunknown", "nonexistent user" },
        { "userunknown", "non existent user" },
        { "userunknown", "bad recipient" },
        { "userunknown", "bad-recipient" },
        { "userunknown", "bad_recipient" },
        { "userunknown", "badrcptto" },
        { "userunknown", "#5.1.1 bad address" },
        { "userunknown", "archived recipient" },
        { "userunknown", "can't accept user" },
        { "userunknown", "destination addresses were unknown" },
        { "userunknown", "destination server rejected recipients" },
        { "userunknown", "there is no one at this address" },
        { "userunknown", "this address no longer accepts mail" },
        { "userunknown", "email address is wrong or no longer valid" },
        { "userunknown", "user's email name is not found" },
        { "userunknown", "the following recipients was undeliverable" },
        { "userunknown", "vdeliver: invalid or unknown virtual user" },
        { "userunknown", "requested action not taken: mailbox unavailable" },
        { "userunknown", "sorry, no mailbox here by that name" },
        { "userunknown", "no existe" },
        { "userunknown", "adresse d au moins un destinataire invalide" },
        { "userunknown", "not our customer" },
        { "userunknown", "does not exist here" },
        { "userunknown", "account does not exist" },
        { "userunknown", "account that you tried to reach does not exist" },
        { "userunknown", "no such account" },
        { "userunknown", "not listed in domino directory" },
        { "userunknown", "not listed in public name & address book" },
        { "userunknown", "addressee unknown" },
        { "userunknown", "550 5.1.1" },
        { "userunknown", "5.1.1 <" },

        // rejected (the envelope sender)
        { "rejected", "sender rejected" },
        { "rejected", "sender address rejected" },
        { "rejected", "sender email address rejected" },
        { "rejected", "sender verify failed" },
        { "rejected", "sender is in my black list" },
        { "rejected", "sender is spammer" },
        { "rejected", "sender not pre-approved" },
        { "rejected", "sender domain is empty" },
        { "rejected", "domain of sender address" },
        { "rejected", "invalid sender" },
        { "rejected", "bogus mail from" },
        { "rejected", "null sender is not allowed" },
        { "rejected", "empty envelope senders not allowed" },
        { "rejected", "returned mail not accepted here" },
        { "rejected", "mail from not owned by user" },
        { "rejected", "unroutable sender address" },
        { "rejected", "batv" },
        { "rejected", "administrative prohibition" },
        { "rejected", "access denied (sender blacklisted)" },
        { "rejected", "access denied (in reply to mail from command)" },
        { "rejected", "sender address has been blacklisted" },
        { "rejected", "this server does not accept mail from" },
        { "rejected", "you are not allowed to post to this mailing list" },
        { "rejected", "emetteur invalide" },
        { "rejected", "fully qualified email address required" },
        { "rejected", "isn't on the recipient's list of senders to accept mail from" },
        { "rejected", "no third-party dsns" },
        { "rejected", "unsigned dsn" },
        { "rejected", "is not a registered gateway user" },
        { "rejected", "rule imposed mailbox access for" },
        { "rejected", "denied [bouncedeny]" },
        { "rejected", "syntax error: empty email address" },
        { "rejected", "from: domain is invalid" },
        { "rejected", "envelope blocked" },
        { "rejected", "sender domain must exist" },
        { "rejected", "domain of sender" },

        // hostunknown
        { "hostunknown", "domain does not exist" },
        { "hostunknown", "domain is not reachable" },
        { "hostunknown", "domain must exist" },
        { "hostunknown", "host or domain name not found" },
        { "hostunknown", "host unknown" },
        { "hostunknown", "unknown host" },
        { "hostunknown", "host unreachable" },
        { "hostunknown", "mail domain mentioned in email address is unknown" },
        { "hostunknown", "name or service not known" },
        { "hostunknown", "no such domain" },
        { "hostunknown", "unknown domain" },
        { "hostunknown", "the account or domain may not exist" },
        { "hostunknown", "unroutable address" },
        { "hostunknown", "unrouteable address" },
        { "hostunknown", "domain not found" },
        { "hostunknown", "domain name not found" },
        { "hostunknown", "nxdomain" },
        { "hostunknown", "no mx" },
        { "hostunknown", "couldn't find any host named" },
        { "hostunknown", "could not be found" },

        // spamdetected / virusdetected
        { "spamdetected", "unsolicited" },
        { "spamdetected", "bulk mail" },
        { "spamdetected", "bulk email" },
        { "spamdetected", "content filter rejection" },
        { "spamdetected", "message filtered" },
        { "spamdetected", "message content rejected" },
        { "spamdetected", "rejecting banned content" },
        { "spamdetected", "mail content denied" },
        { "spamdetected", "may consider spam" },
        { "spamdetected", "you're using a mass mailer" },
        { "spamdetected", "blacklisted url in message" },
        { "spamdetected", "high probability of" },
        { "spamdetected", "message rejected because of unacceptable content" },
        { "virusdetected", "virus" },
        { "virusdetected", "malware" },
        { "virusdetected", "potentially executable attachment" },

        // blocked (the sending host)
        { "blocked", "blacklisted by" },
        { "blocked", "blocked using" },
        { "blocked", "block list" },
        { "blocked", "blocklist" },
        { "blocked", "blacklist" },
        { "blocked", "black list" },
        { "blocked", "dnsbl" },
        { "blocked", "rbl" },
        { "blocked", "barracudacentral" },
        { "blocked", "access denied. ip" },
        { "blocked", "access from ip address" },
        { "blocked", "banned sending ip" },
        { "blocked", "bad sender ip address" },
        { "blocked", "cannot resolve your address" },
        { "blocked", "client host * blocked using" },
        { "blocked", "client host rejected" },
        { "blocked", "connection refused by" },
        { "blocked", "connection dropped" },
        { "blocked", "connection reset by peer" },
        { "blocked", "connection was dropped by remote host" },
        { "blocked", "currently sending spam" },
        { "blocked", "dynamic/zombied/spam ips blocked" },
        { "blocked", "dynamic ip" },
        { "blocked", "esmtp not accepting connections" },
        { "blocked", "extreme bad ip profile" },
        { "blocked", "go away" },
        { "blocked", "helo command rejected" },
        { "blocked", "host network not allowed" },
        { "blocked", "invalid ip for sending mail of domain" },
        { "blocked", "is blocked by" },
        { "blocked", "is not allowed to send mail from" },
        { "blocked", "mail server at * is blocked" },
        { "blocked", "not currently accepting mail from your ip" },
        { "blocked", "part of their network is on our block list" },
        { "blocked", "please use the smtp server of your isp" },
        { "blocked", "rejecting open proxy" },
        { "blocked", "sender ip address rejected" },
        { "blocked", "server access forbidden by your ip" },
        { "blocked", "listed as abusive" },
        { "blocked", "smtp error from remote mail server after initial connection" },
        { "blocked", "your remotehost looks suspiciously like spammer" },
        { "blocked", "is blacklisted" },
        { "blocked", "has been blacklisted" },
        { "blocked", "was blocked by" },
        { "blocked", "we do not accept mail from dynamic ips" },
        { "blocked", "you are not allowed to connect" },
        { "blocked", "your network is temporary blacklisted" },
        { "blocked", "abuseat.org" },
        { "blocked", "your server requires confirmation" },
        { "blocked", "confirm this mail server" },
        { "blocked", "too many unwanted messages have been sent from the following ip address" },
        { "blocked", "ip address is blocked" },
        { "blocked", "ip blocked" },
        { "blocked", "blocked ip" },
        { "blocked", "service not available, closing transmission channel" },
        { "blocked", "access denied" },
        { "blocked", "blocked" },
        { "spamdetected", "spam" },

        // policyviolation
        { "policyviolation", "an illegal attachment on your message" },
        { "policyviolation", "because the recipient is not accepting mail with" },
        { "policyviolation", "by non-member to a members-only list" },
        { "policyviolation", "closed mailing list" },
        { "policyviolation", "denied by policy" },
        { "policyviolation", "email not accepted for policy reasons" },
        { "policyviolation", "email rejected due to security policies" },
        { "policyviolation", "header are not accepted" },
        { "policyviolation", "local policy violation" },
        { "policyviolation", "message bounced due to organizational settings" },
        { "policyviolation", "message given low priority" },
        { "policyviolation", "message not accepted for policy reasons" },
        { "policyviolation", "message rejected due to local policy" },
        { "policyviolation", "messages with multiple addresses" },
        { "policyviolation", "rejected for policy reasons" },
        { "policyviolation", "protocol violation" },
        { "policyviolation", "is not subscribed to this group" },
        { "policyviolation", "rejected by organization policy" },
        { "policyviolation", "its content presents a potential" },
        { "policyviolation", "we do not accept messages containing images or other attachments" },
        { "policyviolation", "allowable number of posts without solving a captcha" },
        { "policyviolation", "policy violation" },
        { "policyviolation", "violates our policy" },

        // securityerror / failedstarttls
        { "failedstarttls", "starttls" },
        { "failedstarttls", "does not support tls" },
        { "failedstarttls", "tls required but not supported" },
        { "failedstarttls", "must issue a starttls" },
        { "failedstarttls", "encryption required" },
        { "securityerror", "authentication required" },
        { "securityerror", "authentication credentials invalid" },
        { "securityerror", "authentication failure" },
        { "securityerror", "authentication failed" },
        { "securityerror", "authentication turned on in your email client" },
        { "securityerror", "authentification requise" },
        { "securityerror", "authentification invalide" },
        { "securityerror", "is a dead domain" },
        { "securityerror", "executable files are not allowed in compressed files" },
        { "securityerror", "insecure mail relay" },
        { "securityerror", "unauthenticated senders not allowed" },
        { "securityerror", "is not authorized to perform ses:sendrawemail" },
        { "securityerror", "account not subscribed to ses" },
        { "securityerror", "authentication is required" },
        { "securityerror", "verification failure" },
        { "securityerror", "you don't authenticate" },
        { "securityerror", "you dont authenticate" },

        // notcompliantrfc / contenterror
        { "notcompliantrfc", "rfc 5322" },
        { "notcompliantrfc", "rfc5322" },
        { "notcompliantrfc", "rfc 2822" },
        { "notcompliantrfc", "rfc2822" },
        { "notcompliantrfc", "rfc 822" },
        { "notcompliantrfc", "not rfc compliant" },
        { "notcompliantrfc", "there are multiple" },
        { "contenterror", "header size exceeds maximum permitted" },
        { "contenterror", "improper use of 8-bit data in message header" },
        { "contenterror", "message header size, or recipient list, exceeds policy limit" },
        { "contenterror", "message mime complexity exceeds the policy maximum" },
        { "contenterror", "routing loop detected -- too many received: headers" },
        { "contenterror", "invalid mime headers" },
        { "contenterror", "improperly-formatted binary content" },
        { "contenterror", "unnecessary base64 encoding" },

        // systemfull / systemerror / networkerror / expired
        { "systemfull", "mail system full" },
        { "systemfull", "requested mail action aborted: exceeded storage allocation" },
        { "systemfull", "insufficient system storage" },
        { "systemerror", "aliasing/forwarding loop broken" },
        { "systemerror", "can't create user output file" },
        { "systemerror", "could not load drd for domain" },
        { "systemerror", "internal error" },
        { "systemerror", "internal server error" },
        { "systemerror", "interrupted system call" },
        { "systemerror", "it encountered an error while being processed" },
        { "systemerror", "it would create a mail loop" },
        { "systemerror", "local configuration error" },
        { "systemerror", "local error in processing" },
        { "systemerror", "loop was found in the mail exchanger" },
        { "systemerror", "loops back to myself" },
        { "systemerror", "queue file write error" },
        { "systemerror", "mail system configuration error" },
        { "systemerror", "remote server is misconfigured" },
        { "systemerror", "server configuration error" },
        { "systemerror", "service currently unavailable" },
        { "systemerror", "system config error" },
        { "systemerror", "temporary local problem" },
        { "systemerror", "timeout waiting for input" },
        { "systemerror", "transaction failed" },
        { "systemerror", "mail for * loops back to myself" },
        { "networkerror", "could not connect and send the mail to" },
        { "networkerror", "dns records for the destination computer could not be found" },
        { "networkerror", "hop count exceeded" },
        { "networkerror", "host is unreachable" },
        { "networkerror", "host name lookup failure" },
        { "networkerror", "host not found, try again" },
        { "networkerror", "mail forwarding loop for" },
        { "networkerror", "malformed name server reply" },
        { "networkerror", "malformed or unexpected name server reply" },
        { "networkerror", "maximum forwarding loop count exceeded" },
        { "networkerror", "message looping" },
        { "networkerror", "routing loop" },
        { "networkerror", "no route to host" },
        { "networkerror", "too many hops" },
        { "networkerror", "unable to resolve route" },
        { "networkerror", "unrouteable mail domain" },
        { "networkerror", "temporary failure in name resolution" },
        { "networkerror", "dns lookup" },
        { "networkerror", "name server" },
        { "expired", "connection timed out" },
        { "expired", "could not find a gateway for" },
        { "expired", "delivery attempts will continue to be" },
        { "expired", "delivery time expired" },
        { "expired", "failed to deliver to domain " },
        { "expired", "giving up on" },
        { "expired", "have been failing for a long time" },
        { "expired", "has been delayed" },
        { "expired", "it has not been collected after" },
        { "expired", "message expired" },
        { "expired", "message timed out" },
        { "expired", "retry time not reached for any host after a long failure period" },
        { "expired", "server did not respond" },
        { "expired", "in the queue too long" },
        { "expired", "was not reachable within the allowed queue period" },
        { "expired", "your message could not be delivered for more than" },
        { "expired", "retry timeout exceeded" },
        { "expired", "queue timeout" },
        { "expired", "too long in queue" },
        { "expired", "delivery expired" },
        { "expired", "deferred" },

        // notaccept
        { "notaccept", "does not accept mail" },
        { "notaccept", "nullmx" },
        { "notaccept", "null mx" },
        { "notaccept", "name server: .: host not found" },
        { "notaccept", "no mx record found for domain=" },
        { "notaccept", "no route for current request" },
        { "notaccept", "smtp protocol returned a permanent error" },

        // mailererror
        { "mailererror", "procmail:" },
        { "mailererror", "bin/procmail" },
        { "mailererror", "bin/maildrop" },
        { "mailererror", "command failed:" },
        { "mailererror", "command died with status" },
        { "mailererror", "command output:" },
        { "mailererror", "mailer error" },
        { "mailererror", "pipe to |/" },
        { "mailererror", "x-unix;" },
        { "mailererror", "exit " },

        // syntaxerror
        { "syntaxerror", "syntax error" },
        { "syntaxerror", "command unrecognized" },
        { "syntaxerror", "command not recognized" },
        { "syntaxerror", "unrecognized command" },

    };

    std::size_t bigram(char a, char b)
    {
        return static_cast<std::size_t>(static_cast<unsigned char>(a)) << 8 | static_cast<unsigned char>(b);
    }

    // Phrase ids bucketed by their first two characters (CSR layout: 128 KiB
    // of offsets, built once per process in microseconds).
    struct PhraseIndex {
        std::vector<std::uint16_t> start; // 65537 offsets into ids
        std::vector<std::uint16_t> ids;
    };

    PhraseIndex build_phrase_index()
    {
        PhraseIndex index;
        index.start.assign(65537, 0);
        for (const Phrase& p : phrases)
            ++index.start[bigram(p.text[0], p.text[1]) + 1];
        for (std::size_t i = 1; i < index.start.size(); ++i)
            index.start[i] = static_cast<std::uint16_t>(index.start[i] + index.start[i - 1]);
        index.ids.resize(std::size(phrases));
        std::vector<std::uint16_t> fill(index.start.begin(), index.start.end() - 1);
        for (std::size_t id = 0; id < std::size(phrases); ++id)
            index.ids[fill[bigram(phrases[id].text[0], phrases[id].text[1])]++]
                = static_cast<std::uint16_t>(id);
        return index;
    }

    const PhraseIndex& phrase_index()
    {
        static const PhraseIndex index = build_phrase_index();
        return index;
    }

    // '*' in a phrase matches anything within 200 characters.
    bool phrase_matches(std::string_view text, std::string_view phrase)
    {
        auto star = phrase.find('*');
        if (star == std::string_view::npos)
            return text.find(phrase) != std::string_view::npos;
        std::size_t from = 0;
        while (true) {
            std::string_view head = phrase.substr(0, star);
            std::size_t at = text.find(head, from);
            if (at == std::string_view::npos)
                return false;
            std::string_view rest = phrase.substr(star + 1);
            std::string_view window = text.substr(at + head.size(), 200 + rest.size());
            if (phrase_matches(window, rest))
                return true;
            from = at + 1;
        }
    }

} // namespace

std::string_view scan_phrases(std::string_view text)
{
    // One pass over the text: at each position only the phrases that
    // start with its two characters are compared; the earliest phrase in
    // table order that matches anywhere wins, as a scan phrase by phrase
    // would decide.
    const PhraseIndex& index = phrase_index();
    std::size_t best = std::size(phrases);
    for (std::size_t pos = 0; pos + 1 < text.size(); ++pos) {
        std::size_t key = bigram(text[pos], text[pos + 1]);
        for (std::size_t k = index.start[key]; k < index.start[key + 1]; ++k) {
            std::size_t id = index.ids[k];
            if (id >= best)
                break; // ids ascend within a bucket
            std::string_view p = phrases[id].text;
            std::string_view head = p.substr(0, p.find('*'));
            if (std::string_view(text).substr(pos, head.size()) != head)
                continue;
            if (head.size() == p.size() || phrase_matches(std::string_view(text).substr(pos), p))
                best = id;
        }
    }
    if (best < std::size(phrases))
        return phrases[best].reason;
    return {};
}

} // namespace sendsentry::mail
