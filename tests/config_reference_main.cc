// Prints the Markdown configuration reference; `make update-readme` splices it
// into README.md between the config-reference markers.
#include "core/config_reference.hh"

#include <iostream>

int main()
{
    std::cout << sendsentry::config::markdown_reference();
    return 0;
}
