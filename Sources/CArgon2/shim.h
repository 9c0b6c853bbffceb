// Debian's libargon2 (apt-get install libargon2-dev): verifies argon2id hashes written by
// fastapi-users (pwdlib/argon2-cffi) so that existing accounts keep working.
#include <argon2.h>
