/*
 * main.c - certbench entry point; everything happens in cli_main().
 */
#include "harness/cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
