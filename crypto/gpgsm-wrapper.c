/*
 * gpgsm-wrapper.c — cachet-gpgsm: the gpgsm that cachet's engine starts.
 *
 * gpgsm 2.2 encrypts with AES-128 unless its configuration says otherwise,
 * and neither GPGME nor gpgsm's server protocol can choose the cipher per
 * operation.  cachet must encrypt with AES-256-CBC without editing the
 * person's gpgsm.conf, so GPGME starts this program instead of gpgsm: it
 * runs the real gpgsm, named by cachet in CACHET_GPGSM, with
 * "--cipher-algo AES256" ahead of GPGME's own arguments (command-line
 * options win over gpgsm.conf).
 *
 * It also passes "--pinentry-mode=error".  When gpgsm meets a root
 * certificate that is not in trustlist.txt it asks gpg-agent to show a
 * "Do you ultimately trust ...?" dialog on the terminal GPGME named; one
 * careless "Yes" to a look-alike root (same subject as a real CA) would
 * make every forgery from it valid, and a batch verb would hang on it.
 * With pinentry disabled the agent refuses at once and the signature is
 * reported untrusted.  Passphrases cannot be asked for either: the engine
 * checks that gpg-agent holds them before it signs or decrypts, and says
 * how to unlock the key when it does not.  Everything else is gpgsm's.
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
	v = calloc((size_t)argc + 4, sizeof *v);
	if (v == NULL)
		abort();
	v[0] = argc > 0 ? argv[0] : (char *)"gpgsm";
	v[1] = (char *)"--cipher-algo";
	v[2] = (char *)"AES256";
	v[3] = (char *)"--pinentry-mode=error";
	for (i = 1; i < argc; i++)
		v[i + 3] = argv[i];
	execv(real, v);
	fprintf(stderr, "cachet-gpgsm: cannot run %s: %s\n", real, strerror(errno));
	return 127;
}
