// The public header compiles as C++ and links with C linkage.
#include <authscore.h>

int main()
{
    authscore_ctx *ctx = nullptr;
    if (authscore_ctx_new(&ctx) != AUTHSCORE_OK)
        return 1;
    authscore_ctx_free(ctx);
    return 0;
}
