using Microsoft.AspNetCore.Mvc.ModelBinding.Metadata;

namespace Solidarity.Web.Infrastructure.Forms;

/// <summary>
/// What a field says when what was sent cannot be read as its type at all (a date that is not one, a choice the form
/// never offered): in words, on every form, instead of ASP.NET's "The value 'x' is not valid for Y." Forms send such
/// values only when edited by hand or by an old page, but the message still names the field and keeps what was sent.
/// </summary>
internal static class ModelBindingMessages
{
    public static void Use(DefaultModelBindingMessageProvider messages)
    {
        messages.SetAttemptedValueIsInvalidAccessor((value, field) => $"“{value}” is not a {Lower(field)} this form can read: check it and try again.");
        messages.SetNonPropertyAttemptedValueIsInvalidAccessor(value => $"“{value}” is not something this form can read: check it and try again.");
        messages.SetUnknownValueIsInvalidAccessor(field => $"That is not a {Lower(field)} this form can read: check it and try again.");
        messages.SetNonPropertyUnknownValueIsInvalidAccessor(() => "That is not something this form can read: check it and try again.");
        messages.SetValueIsInvalidAccessor(value => $"“{value}” is not something this form can read: check it and try again.");
        messages.SetValueMustBeANumberAccessor(field => $"Type {Lower(field)} as a number.");
        messages.SetNonPropertyValueMustBeANumberAccessor(() => "Type a number.");
        messages.SetValueMustNotBeNullAccessor(field => $"Fill in {Lower(field)}.");
        messages.SetMissingBindRequiredValueAccessor(field => $"Fill in {Lower(field)}.");
        messages.SetMissingKeyOrValueAccessor(() => "Fill in each part of this field.");
        messages.SetMissingRequestBodyRequiredValueAccessor(() => "The form arrived empty: fill it in and send it again.");
    }

    /// <summary>"Date received" as a sentence has it: "date received"; a name in capitals ("ID") is left as it is.</summary>
    private static string Lower(string field) =>
        field.Length > 1 && char.IsUpper(field[0]) && !char.IsUpper(field[1]) ? char.ToLowerInvariant(field[0]) + field[1..] : field;
}
