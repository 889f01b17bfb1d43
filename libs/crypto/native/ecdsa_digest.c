// ECDSA verification over a digest the caller already has (hashedrekord's sha256 value, a
// DSSE or TSA digest), by the OpenSSL that Node itself links. node:crypto only verifies
// messages it hashes itself; this calls ECDSA_verify on the digest directly.
//
// verify(point, digest, signature) -> boolean
//   point: the uncompressed public point (65 bytes for P-256, 97 for P-384)
//   digest: the digest bytes (ECDSA's bits2int truncation applies, as in OpenSSL)
//   signature: DER ECDSA-Sig-Value; OpenSSL refuses non-canonical DER and trailing bytes
// A point that is not on the curve throws TypeError; a bad signature answers false.
#define NAPI_VERSION 8
#include <limits.h>
#include <stdlib.h>
#include <node_api.h>
// The EC_KEY interface is deprecated in OpenSSL 3 but still built into every Node release,
// and it skips the provider lookups that make EVP key setup cost more than the check.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>

typedef struct {
  EC_GROUP *p256;
  EC_GROUP *p384;
} Curves;

static void free_curves(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Curves *curves = data;
  EC_GROUP_free(curves->p256);
  EC_GROUP_free(curves->p384);
  free(curves);
}

static int get_bytes(napi_env env, napi_value value, const unsigned char **data, size_t *length) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  void *raw;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, &buffer, &offset) != napi_ok) return 0;
  if (type != napi_uint8_array) return 0;
  *data = raw;
  return 1;
}

static napi_value verify(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  const unsigned char *point, *digest, *signature;
  size_t point_len, digest_len, signature_len;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3 ||
      !get_bytes(env, argv[0], &point, &point_len) || !get_bytes(env, argv[1], &digest, &digest_len) ||
      !get_bytes(env, argv[2], &signature, &signature_len)) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "verify(point, digest, signature) takes three Uint8Arrays");
    return NULL;
  }
  Curves *curves;
  if (napi_get_instance_data(env, (void **)&curves) != napi_ok || curves == NULL) {
    napi_throw_error(env, "ERR_NOT_INITIALIZED", "the ECDSA module did not initialise");
    return NULL;
  }
  const EC_GROUP *group = point_len == 65 ? curves->p256 : point_len == 97 ? curves->p384 : NULL;
  if (group == NULL || point[0] != 0x04) {
    napi_throw_type_error(env, "ERR_INVALID_KEY", "the public point must be uncompressed P-256 (65 bytes) or P-384 (97 bytes)");
    return NULL;
  }
  if (digest_len > INT_MAX || signature_len > INT_MAX) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "digest or signature too long");
    return NULL;
  }
  EC_KEY *key = EC_KEY_new();
  EC_POINT *public_point = EC_POINT_new(group);
  // oct2point checks that the point is on the curve.
  int key_ok = key != NULL && public_point != NULL && EC_KEY_set_group(key, group) == 1 &&
               EC_POINT_oct2point(group, public_point, point, point_len, NULL) == 1 &&
               EC_KEY_set_public_key(key, public_point) == 1;
  int verified = key_ok ? ECDSA_verify(0, digest, (int)digest_len, signature, (int)signature_len, key) : -1;
  EC_POINT_free(public_point);
  EC_KEY_free(key);
  if (!key_ok) {
    napi_throw_type_error(env, "ERR_INVALID_KEY", "the public point is not on the curve");
    return NULL;
  }
  napi_value result;
  napi_get_boolean(env, verified == 1, &result);
  return result;
}

NAPI_MODULE_INIT() {
  Curves *curves = calloc(1, sizeof(Curves));
  if (curves == NULL) return NULL;
  curves->p256 = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  curves->p384 = EC_GROUP_new_by_curve_name(NID_secp384r1);
  if (curves->p256 == NULL || curves->p384 == NULL || napi_set_instance_data(env, curves, free_curves, NULL) != napi_ok) {
    free_curves(env, curves, NULL);
    napi_throw_error(env, "ERR_NOT_INITIALIZED", "OpenSSL has no P-256 or P-384 group");
    return NULL;
  }
  napi_value fn;
  if (napi_create_function(env, "verify", NAPI_AUTO_LENGTH, verify, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "verify", fn) != napi_ok) return NULL;
  return exports;
}
