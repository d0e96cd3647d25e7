package io.gantry.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine;

/** Parses seed lists such as {@code 42}, {@code 42-51} or {@code 1,5,9-11}. */
final class SeedRange implements CommandLine.ITypeConverter<List<Long>> {

    @Override
    public List<Long> convert(String value) {
        LinkedHashSet<Long> seeds = new LinkedHashSet<>();
        for (String part : value.split(",")) {
            String p = part.trim();
            int dash = p.indexOf('-', 1);
            try {
                if (dash > 0) {
                    long from = Long.parseLong(p.substring(0, dash).trim());
                    long to = Long.parseLong(p.substring(dash + 1).trim());
                    if (to < from) {
                        throw new CommandLine.TypeConversionException("bad seed range '" + p
                                + "': write FROM-TO with FROM <= TO, e.g. 42-51");
                    }
                    if (to - from >= 100_000) {
                        throw new CommandLine.TypeConversionException("bad seed range '" + p
                                + "': at most 100000 seeds in one range");
                    }
                    for (long s = from; s <= to; s++) {
                        seeds.add(s);
                    }
                } else {
                    seeds.add(Long.parseLong(p));
                }
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("bad seed '" + p + "': use numbers like 42, 42-51 or 1,5,9");
            }
        }
        return new ArrayList<>(seeds);
    }
}
