package dev.mcias.ctl;

/** Entry point of the launcher script. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws java.io.IOException {
        if (args.length == 1 && "--cds-training".equals(args[0])) {
            // Build step: load the classes a typical call needs, for the class-data sharing archive.
            Mciasctl.training();
            return;
        }
        int code = Mciasctl.commandLine(Env.system(), args).execute(args);
        System.out.flush();
        System.exit(code);
    }
}
