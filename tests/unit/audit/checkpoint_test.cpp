#include "gateway/audit/checkpoint.h"

#include "gateway/common/error.h"

#include <gtest/gtest.h>

namespace gateway::audit {
namespace {

Checkpoint sample() {
    Checkpoint checkpoint;
    checkpoint.size = 1000;
    checkpoint.at = "2026-11-23T10:00:00Z";
    checkpoint.algorithm = "sha256";
    checkpoint.root = std::string(64, 'a');
    checkpoint.head = std::string(64, 'b');
    checkpoint.previous = std::string(64, 'd');
    checkpoint.persons_from = 77;
    return checkpoint;
}

class CheckpointTest : public ::testing::TestWithParam<SignatureScheme> {};

TEST_P(CheckpointTest, SignedCheckpointVerifiesAndAnyChangeBreaksIt) {
    const auto signer = CheckpointSigner::fromPem(generateSigningKeyPem(GetParam()), "test key");
    EXPECT_EQ(signer.scheme(), GetParam());
    EXPECT_EQ(signer.keyId().size(), 16u);
    const auto verifier = CheckpointVerifier::fromPem(signer.publicKeyPem(), "public key");
    EXPECT_EQ(verifier.keyId(), signer.keyId());

    Checkpoint checkpoint = sample();
    signer.sign(checkpoint);
    EXPECT_EQ(checkpoint.key_id, signer.keyId());
    EXPECT_TRUE(verifier.verify(checkpoint));

    std::vector<Checkpoint> altered(9, checkpoint);
    altered[0].size = 1001;
    altered[1].at = "2026-11-23T10:00:01Z";
    altered[2].root[0] = 'c';
    altered[3].head[63] = 'c';
    altered[4].algorithm = "sm3";
    altered[5].signature = "AAAA" + checkpoint.signature.substr(4);
    altered[6].previous[0] = 'e';
    altered[7].persons_from = 1000;
    altered[8].version = 1;
    for (const Checkpoint& changed : altered) {
        EXPECT_FALSE(verifier.verify(changed));
    }
    Checkpoint garbage = checkpoint;
    garbage.signature = "not base64 !!";
    EXPECT_FALSE(verifier.verify(garbage));
    garbage.signature = "";
    EXPECT_FALSE(verifier.verify(garbage));

    // Another key, even of the same scheme, does not verify it.
    const auto other = CheckpointSigner::fromPem(generateSigningKeyPem(GetParam()), "other");
    const auto other_verifier = CheckpointVerifier::fromPem(other.publicKeyPem(), "other public");
    EXPECT_FALSE(other_verifier.verify(checkpoint));
    Checkpoint relabelled = checkpoint;
    relabelled.key_id = other.keyId();
    EXPECT_FALSE(other_verifier.verify(relabelled));
}

INSTANTIATE_TEST_SUITE_P(Schemes, CheckpointTest, ::testing::Values(SignatureScheme::Ed25519, SignatureScheme::Sm2),
                         [](const auto& info) { return std::string(signatureSchemeName(info.param)); });

TEST(CheckpointKeyTest, RefusesWhatIsNotASigningKey) {
    try {
        CheckpointSigner::fromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "audit.key");
        FAIL() << "accepted garbage";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::InvalidConfig);
        EXPECT_NE(error.message().find("audit.key"), std::string::npos);
    }
    EXPECT_THROW(CheckpointSigner::load("/nonexistent/audit.key"), GatewayError);
    EXPECT_THROW(CheckpointVerifier::fromPem("", "empty"), GatewayError);
    // A public key is not a private one.
    const auto signer = CheckpointSigner::fromPem(generateSigningKeyPem(SignatureScheme::Ed25519), "k");
    EXPECT_THROW(CheckpointSigner::fromPem(signer.publicKeyPem(), "pub"), GatewayError);
}

TEST(CheckpointKeyTest, MessageCoversEveryField) {
    const std::string message = checkpointMessage(sample());
    EXPECT_NE(message.find("1000"), std::string::npos);
    EXPECT_NE(message.find(std::string(64, 'a')), std::string::npos);
    EXPECT_NE(message.find(std::string(64, 'b')), std::string::npos);
    EXPECT_NE(message.find("sha256"), std::string::npos);
}

TEST(CheckpointKeyTest, AnUnchainedCheckpointKeepsTheStatementItWasSignedIn) {
    Checkpoint old = sample();
    old.version = 1;
    old.key_id = "k";
    EXPECT_EQ(checkpointMessage(old), "childgateway audit checkpoint v1\nsha256\n1000\n" + std::string(64, 'a') + "\n" +
                                          std::string(64, 'b') + "\n2026-11-23T10:00:00Z\nk\n");
    const std::string chained = checkpointMessage(sample());
    EXPECT_NE(chained.find(std::string(64, 'd')), std::string::npos);
    EXPECT_NE(chained.find("\n77\n"), std::string::npos);
    EXPECT_NE(checkpointHash(old), checkpointHash(sample()));
    EXPECT_EQ(noPreviousCheckpoint(), std::string(64, '0'));
}

}  // namespace
}  // namespace gateway::audit
