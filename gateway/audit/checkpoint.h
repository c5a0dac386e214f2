#pragma once

#include "gateway/audit/digest.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct evp_pkey_st;

namespace gateway::audit {

/// The form of checkpoint statement signed now. Version 1 covered the tree alone; version 2 also covers the
/// statement before it and where person coverage starts, so that checkpoints form a chain of their own.
inline constexpr int kCheckpointVersion = 2;

/// A signed statement of the log's first `size` entries: the Merkle root over them and the chain hash of entry
/// `size`. Whoever holds one and the gateway's public key can check any of those entries with an inclusion proof,
/// and `audit verify` checks every stored one against the entries. From version 2 on it also names the checkpoint
/// signed before it (checkpointHash of it, zeros for the first) and the ChainFormat::persons_from in force, so that
/// deleting a checkpoint in the middle, or moving where persons are hashed from, shows.
struct Checkpoint {
    std::uint64_t size = 0;
    std::string at;         // ISO-8601 UTC
    std::string algorithm;  // the log's hash: "sha256" or "sm3"
    std::string root;       // hex
    std::string head;       // hex chain hash of entry `size` (zeros when size is 0)
    std::string frontier;   // MerkleFrontier::toHex(), to extend the tree from here
    std::string key_id;     // which key signed it (CheckpointSigner::keyId)
    std::string signature;  // base64
    int version = kCheckpointVersion;
    std::string previous{};         // hex checkpointHash() of the checkpoint before (version 2 on)
    std::int64_t persons_from = 1;  // version 2 on
};

/// The exact bytes a checkpoint's signature covers, in the form of its version.
std::string checkpointMessage(const Checkpoint& checkpoint);

/// What the next checkpoint names as `previous`: the hash (with the checkpoint's own algorithm) of its signed
/// statement.
std::string checkpointHash(const Checkpoint& checkpoint);

/// `previous` of the first checkpoint of a chain.
std::string noPreviousCheckpoint();

/// The signature schemes for checkpoints, chosen by the key: Ed25519, or SM2 with SM3 (GB/T 32918, the default
/// distinguishing identifier 1234567812345678).
enum class SignatureScheme { Ed25519, Sm2 };

std::string_view signatureSchemeName(SignatureScheme scheme);

/// An Ed25519 or SM2 key, private or public, with its scheme and id: what a signer and a verifier hold.
class CheckpointKey {
public:
    enum class Half { Private, Public };

    /// Throws GatewayError(InvalidConfig) naming `origin` if `pem` holds no such key of the half asked for.
    static CheckpointKey fromPem(std::string_view pem, Half half, std::string_view origin);

    evp_pkey_st* get() const { return key_.get(); }
    SignatureScheme scheme() const { return scheme_; }
    /// The first 16 hex digits of the SHA-256 of the public key (DER SubjectPublicKeyInfo).
    const std::string& keyId() const { return key_id_; }

private:
    struct KeyFree {
        void operator()(evp_pkey_st* key) const;
    };
    CheckpointKey(std::unique_ptr<evp_pkey_st, KeyFree> key, SignatureScheme scheme, std::string key_id);

    std::unique_ptr<evp_pkey_st, KeyFree> key_;
    SignatureScheme scheme_;
    std::string key_id_;
};

/// The gateway's checkpoint signing key, loaded from a PEM file that only the gateway reads.
class CheckpointSigner {
public:
    /// Throws GatewayError(InvalidConfig) if the file cannot be read or holds no Ed25519 or SM2 private key.
    static CheckpointSigner load(const std::string& path);
    static CheckpointSigner fromPem(std::string_view pem, std::string_view origin);

    SignatureScheme scheme() const { return key_.scheme(); }
    const std::string& keyId() const { return key_.keyId(); }
    /// The public key as PEM, for auditors.
    std::string publicKeyPem() const;

    /// Fills key_id and signature.
    void sign(Checkpoint& checkpoint) const;

private:
    explicit CheckpointSigner(CheckpointKey key) : key_(std::move(key)) {}

    CheckpointKey key_;
};

/// A public key to check checkpoints with.
class CheckpointVerifier {
public:
    /// Throws GatewayError(InvalidConfig) if `pem` holds no Ed25519 or SM2 public key.
    static CheckpointVerifier fromPem(std::string_view pem, std::string_view origin);
    static CheckpointVerifier load(const std::string& path);

    const std::string& keyId() const { return key_.keyId(); }
    /// Whether the checkpoint's signature is this key's over checkpointMessage().
    bool verify(const Checkpoint& checkpoint) const;

private:
    explicit CheckpointVerifier(CheckpointKey key) : key_(std::move(key)) {}

    CheckpointKey key_;
};

/// A new private key of the scheme as PEM (PKCS#8), for `gateway audit keygen` and tests.
std::string generateSigningKeyPem(SignatureScheme scheme);

}  // namespace gateway::audit
