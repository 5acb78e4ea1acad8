#include "aucrecall/aucrecall.hpp"
int main() { return 0; }
