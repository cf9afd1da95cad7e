/*
 * gpgsm-wrapper.c — cachet-gpgsm: the gpgsm that cachet's engine starts.
 *
 * gpgsm 2.2 encrypts with AES-128 unless its configuration says otherwise,
 * and neither GPGME nor gpgsm's server protocol can choose the cipher per
 * operation.  cachet must encrypt with AES-256-CBC without editing the
 * person's gpgsm.conf, so GPGME starts this program instead of gpgsm: it
 * runs the real gpgsm, named by cachet in CACHET_GPGSM, with
 * "--cipher-algo AES256" ahead of GPGME's own arguments (command-line
 * options win over gpgsm.conf).  Everything else is gpgsm's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const char *real = getenv("CACHET_GPGSM");
	char **v;
	int i;

	if (real == NULL || real[0] != '/') {
		fprintf(stderr, "cachet-gpgsm: CACHET_GPGSM does not name gpgsm by its "
			"absolute path; this program is started by cachet\n");
		return 2;
	}
	v = calloc((size_t)argc + 3, sizeof *v);
	if (v == NULL)
		abort();
	v[0] = argc > 0 ? argv[0] : (char *)"gpgsm";
	v[1] = (char *)"--cipher-algo";
	v[2] = (char *)"AES256";
	for (i = 1; i < argc; i++)
		v[i + 2] = argv[i];
	execv(real, v);
	fprintf(stderr, "cachet-gpgsm: cannot run %s: %s\n", real, strerror(errno));
	return 127;
}
