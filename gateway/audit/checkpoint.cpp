#include "gateway/audit/checkpoint.h"

#include "gateway/common/error.h"
#include "gateway/common/file.h"
#include "gateway/common/hash.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace gateway::audit {

namespace {

// GB/T 32918.2's default user identifier, which other SM2 implementations assume when none is agreed.
constexpr std::string_view kSm2Id = "1234567812345678";

struct PkeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};

std::optional<SignatureScheme> schemeOf(EVP_PKEY* key) {
    if (EVP_PKEY_is_a(key, "ED25519") == 1) {
        return SignatureScheme::Ed25519;
    }
    if (EVP_PKEY_is_a(key, "SM2") == 1) {
        return SignatureScheme::Sm2;
    }
    return std::nullopt;
}

std::string keyIdOf(EVP_PKEY* key) {
    unsigned char* der = nullptr;
    const int size = i2d_PUBKEY(key, &der);
    if (size <= 0) {
        throw GatewayError(ErrorCode::Internal, "cannot encode the checkpoint public key");
    }
    std::string bytes(reinterpret_cast<const char*>(der), static_cast<std::size_t>(size));
    OPENSSL_free(der);
    return sha256Hex(bytes).substr(0, 16);
}

/// A signing or verifying context for the scheme; SM2 hashes with SM3 and carries its identifier. The key context
/// is the caller's to free after the digest context (EVP_MD_CTX_set_pkey_ctx does not hand it over), hence the
/// member order.
struct SignatureContext {
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> key;
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> md;
};

SignatureContext startContext(EVP_PKEY* key, SignatureScheme scheme, bool signing) {
    SignatureContext context;
    context.md.reset(EVP_MD_CTX_new());
    if (!context.md) {
        throw GatewayError(ErrorCode::Internal, "out of memory for a signature");
    }
    const char* md = nullptr;
    if (scheme == SignatureScheme::Sm2) {
        md = "SM3";
        context.key.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
        if (!context.key || EVP_PKEY_CTX_set1_id(context.key.get(), kSm2Id.data(), kSm2Id.size()) != 1) {
            throw GatewayError(ErrorCode::Internal, "cannot set the SM2 identifier");
        }
        EVP_MD_CTX_set_pkey_ctx(context.md.get(), context.key.get());
    }
    const int started = signing
                            ? EVP_DigestSignInit_ex(context.md.get(), nullptr, md, nullptr, nullptr, key, nullptr)
                            : EVP_DigestVerifyInit_ex(context.md.get(), nullptr, md, nullptr, nullptr, key, nullptr);
    if (started != 1) {
        throw GatewayError(ErrorCode::Internal, "cannot start a checkpoint signature");
    }
    return context;
}

std::string base64(const std::vector<unsigned char>& bytes) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    encoder.close();
    return out.str();
}

std::optional<std::string> unbase64(const std::string& text) {
    try {
        std::istringstream in(text);
        Poco::Base64Decoder decoder(in);
        std::ostringstream out;
        out << decoder.rdbuf();
        return out.str();
    } catch (const Poco::Exception&) {
        return std::nullopt;
    }
}

}  // namespace

std::string checkpointMessage(const Checkpoint& checkpoint) {
    if (checkpoint.version == 1) {
        // As a log begun by an earlier version signed it, so that those checkpoints still verify.
        return "childgateway audit checkpoint v1\n" + checkpoint.algorithm + "\n" + std::to_string(checkpoint.size) +
               "\n" + checkpoint.root + "\n" + checkpoint.head + "\n" + checkpoint.at + "\n" + checkpoint.key_id + "\n";
    }
    return "childgateway audit checkpoint v" + std::to_string(checkpoint.version) + "\n" + checkpoint.algorithm + "\n" +
           std::to_string(checkpoint.size) + "\n" + checkpoint.root + "\n" + checkpoint.head + "\n" +
           checkpoint.previous + "\n" + std::to_string(checkpoint.persons_from) + "\n" + checkpoint.at + "\n" +
           checkpoint.key_id + "\n";
}

std::string checkpointHash(const Checkpoint& checkpoint) {
    Digest digest(parseHashAlgorithm(checkpoint.algorithm).value_or(HashAlgorithm::Sha256));
    digest.begin();
    digest.update(checkpointMessage(checkpoint));
    return toHex(digest.final());
}

std::string noPreviousCheckpoint() {
    return toHex(Hash{});
}

std::string_view signatureSchemeName(SignatureScheme scheme) {
    return scheme == SignatureScheme::Sm2 ? "sm2" : "ed25519";
}

void CheckpointKey::KeyFree::operator()(evp_pkey_st* key) const {
    EVP_PKEY_free(key);
}

CheckpointKey::CheckpointKey(std::unique_ptr<evp_pkey_st, KeyFree> key, SignatureScheme scheme, std::string key_id)
    : key_(std::move(key)), scheme_(scheme), key_id_(std::move(key_id)) {}

CheckpointKey CheckpointKey::fromPem(std::string_view pem, Half half, std::string_view origin) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    std::unique_ptr<evp_pkey_st, KeyFree> key;
    if (bio) {
        key.reset(half == Half::Private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                                        : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    }
    if (!key) {
        throw GatewayError(ErrorCode::InvalidConfig, std::string(origin) + " holds no PEM " +
                                                         (half == Half::Private ? "private" : "public") + " key");
    }
    const auto scheme = schemeOf(key.get());
    if (!scheme) {
        throw GatewayError(ErrorCode::InvalidConfig,
                           std::string(origin) + " holds a key that is neither Ed25519 nor SM2");
    }
    std::string key_id = keyIdOf(key.get());
    return CheckpointKey(std::move(key), *scheme, std::move(key_id));
}

CheckpointSigner CheckpointSigner::load(const std::string& path) {
    return fromPem(readFileContent(path, "checkpoint signing key"), path);
}

CheckpointSigner CheckpointSigner::fromPem(std::string_view pem, std::string_view origin) {
    return CheckpointSigner(CheckpointKey::fromPem(pem, CheckpointKey::Half::Private, origin));
}

std::string CheckpointSigner::publicKeyPem() const {
    std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
        throw GatewayError(ErrorCode::Internal, "cannot write the checkpoint public key");
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

void CheckpointSigner::sign(Checkpoint& checkpoint) const {
    checkpoint.key_id = key_.keyId();
    const std::string message = checkpointMessage(checkpoint);
    const SignatureContext ctx = startContext(key_.get(), key_.scheme(), true);
    std::size_t size = 0;
    const auto* bytes = reinterpret_cast<const unsigned char*>(message.data());
    if (EVP_DigestSign(ctx.md.get(), nullptr, &size, bytes, message.size()) != 1) {
        throw GatewayError(ErrorCode::Internal, "cannot size a checkpoint signature");
    }
    std::vector<unsigned char> signature(size);
    if (EVP_DigestSign(ctx.md.get(), signature.data(), &size, bytes, message.size()) != 1) {
        throw GatewayError(ErrorCode::Internal, "cannot sign a checkpoint");
    }
    signature.resize(size);
    checkpoint.signature = base64(signature);
}

CheckpointVerifier CheckpointVerifier::load(const std::string& path) {
    return fromPem(readFileContent(path, "checkpoint public key"), path);
}

CheckpointVerifier CheckpointVerifier::fromPem(std::string_view pem, std::string_view origin) {
    return CheckpointVerifier(CheckpointKey::fromPem(pem, CheckpointKey::Half::Public, origin));
}

bool CheckpointVerifier::verify(const Checkpoint& checkpoint) const {
    if (checkpoint.key_id != key_.keyId()) {
        return false;
    }
    const auto signature = unbase64(checkpoint.signature);
    if (!signature || signature->empty()) {
        return false;
    }
    const std::string message = checkpointMessage(checkpoint);
    const SignatureContext ctx = startContext(key_.get(), key_.scheme(), false);
    return EVP_DigestVerify(ctx.md.get(), reinterpret_cast<const unsigned char*>(signature->data()), signature->size(),
                            reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

std::string generateSigningKeyPem(SignatureScheme scheme) {
    std::unique_ptr<EVP_PKEY, PkeyFree> key(scheme == SignatureScheme::Sm2
                                                ? EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2")
                                                : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    if (!key) {
        throw GatewayError(ErrorCode::Internal, "cannot generate a checkpoint signing key");
    }
    std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        throw GatewayError(ErrorCode::Internal, "cannot write a checkpoint signing key");
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace gateway::audit
