/* Helper for the dispatch test: prints the ISA and thread count the library chose at start-up. */
#include <stdio.h>

#include "fastrelu.h"

int main(void)
{
    printf("%s %d\n", fr_isa_name(fr_get_isa()), fr_get_num_threads());
    return 0;
}
