// Key generation with OpenSSL 3's EVP_PKEY_Q_keygen, and the zone-file line.
#include "dkim/key_generator.hh"

#include "core/unique_fd.hh"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sendsentry::dkim {

Result<std::shared_ptr<const PrivateKey>> generate_key(KeyAlgorithm algorithm, int rsa_bits)
{
    EVP_PKEY* pkey = nullptr;
    if (algorithm == KeyAlgorithm::ed25519_sha256) {
        pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    } else {
        if (rsa_bits < min_generated_rsa_bits || rsa_bits > max_generated_rsa_bits)
            return make_error(ErrorKind::invalid,
                "RSA key size must be " + std::to_string(min_generated_rsa_bits) + "-"
                    + std::to_string(max_generated_rsa_bits) + " bits");
        pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits));
    }
    if (!pkey)
        return make_error(ErrorKind::internal, "key generation failed");
    return PrivateKey::adopt(pkey, "generated key", KeyLimits {}, nullptr);
}

Status write_private_key(const std::string& path, const PrivateKey& key)
{
    std::string pem = key.pem();
    if (pem.empty())
        return make_error(ErrorKind::internal, "cannot encode the key as PEM");
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd)
        return make_error(ErrorKind::io, path + ": " + std::strerror(errno));
    // The umask may have removed bits but never adds any; make it exact.
    if (::fchmod(fd.get(), 0600) != 0)
        return make_error(ErrorKind::io, path + ": " + std::strerror(errno));
    std::size_t done = 0;
    while (done < pem.size()) {
        ssize_t n = ::write(fd.get(), pem.data() + done, pem.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ::unlink(path.c_str());
            return make_error(ErrorKind::io, path + ": " + std::strerror(errno));
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0 || fd.reset() != 0) {
        ::unlink(path.c_str());
        return make_error(ErrorKind::io, path + ": " + std::strerror(errno));
    }
    return {};
}

std::string dns_zone_line(std::string_view selector, std::string_view domain, const PrivateKey& key)
{
    std::string record = key.dns_record();
    std::string out = std::string(selector) + "._domainkey." + std::string(domain) + ". IN TXT (";
    for (std::size_t i = 0; i < record.size(); i += 255)
        out += " \"" + record.substr(i, 255) + "\"";
    out += " )";
    return out;
}

} // namespace sendsentry::dkim
